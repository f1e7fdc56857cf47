"""The admin form of every page type: a new page whose title gives no ASCII slug (a Chinese
title, as WAGTAIL_ALLOW_UNICODE_SLUGS is off) gets a short readable one instead of none."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

SLUG_HELP = _(
    "The page's address, in lowercase Latin letters, digits and hyphens (e.g. law-week). "
    "Left empty, it is made from the title, or from the page type and today's date."
)


def readable_slug(page, title, parent):
    """From the title's Latin letters and digits when it has any (2025 Law Week → 2025-law-week),
    else from the page type and the date (news-20261206), numbered when taken."""
    base = slugify(title or "", allow_unicode=False)[:50].strip("-")
    if not base:
        kind = page._meta.model_name.removesuffix("page") or "page"
        base = f"{kind}-{timezone.localdate():%Y%m%d}"
    slug, number = base, 1
    while parent is not None and not Page._slug_is_available(slug, parent, page):
        number += 1
        slug = f"{base}-{number}"
    return slug


class PortalPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and not self.instance.pk:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = SLUG_HELP

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug and not slug.isascii() and slug != self.instance.slug:
            # Shown percent-encoded in shared links; one made before this rule may stay.
            raise ValidationError(SLUG_HELP, code="not_ascii")
        if slug or self.instance.pk:
            return slug
        return readable_slug(self.instance, self.cleaned_data.get("title"), self.parent_page)
