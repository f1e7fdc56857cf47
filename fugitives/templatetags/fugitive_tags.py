from django import template

from wagtail.models import Locale

from ..models import NoticePage

register = template.Library()


@register.inclusion_tag("fugitives/_featured.html", takes_context=True)
def featured_notices(context, limit=3):
    """Wanted notices an editor chose to feature, in the language being served: for the home
    page, whose sections are kept until the content changes."""
    notices = (
        NoticePage.objects.live()
        .public()
        .filter(
            feature_on_home=True,
            status=NoticePage.Status.WANTED,
            details_withdrawn_at=None,
            locale=Locale.get_active(),
        )
        .select_related("portrait")
        .prefetch_related("portrait__renditions")
        .order_by("-issued_on", "-pk")[:limit]
    )
    return {"notices": list(notices), "request": context.get("request")}
