"""The notice page for a reader a printed poster brought (?entry=CODE): its "report a
sighting" button carries the poster's code on, so the sighting is counted for that poster,
as the site's own report button does (portal_tags.report_url)."""

from django import template

from portal.pagecache import kept

register = template.Library()

# A poster code's longest form (posters.models.CODE_MAX_LENGTH); anything else is no code.
MAX_CODE_LENGTH = 12


def _entry(request):
    entry = request.GET.get("entry", "") if request is not None else ""
    if entry and len(entry) <= MAX_CODE_LENGTH and entry.isascii() and entry.isalnum():
        return entry
    return ""


@register.simple_tag(takes_context=True)
def notice_kept_parts(context):
    """`kept_parts`, except for a reader a poster brought: that page carries the poster's code
    in a link, so it is written for this reader and kept for no one else."""
    request = context.get("request")
    preview = getattr(request, "is_preview", False)
    return kept.template_fragments(preview=preview or bool(_entry(request)))


@register.simple_tag(takes_context=True)
def sighting_url(context, page):
    url = page.sighting_url()
    entry = _entry(context.get("request"))
    if not entry:
        return url
    return f"{url}{'&' if '?' in url else '?'}entry={entry}"
