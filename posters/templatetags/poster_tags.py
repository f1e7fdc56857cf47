from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from .. import qr

register = template.Library()


@register.simple_tag
def report_form_qr(size=160):
    """The report form's QR code, inline: someone reading on a computer scans it to report
    from their phone. It holds the configured public address, never the request's host."""
    with translation.override(translation.get_language()):
        path = reverse("reporting:report")
    svg = qr.svg(settings.PORTAL_BASE_URL.rstrip("/") + path, size=size)
    # The SVG is generated here from a URL, not from user input; drop its XML prologue.
    return mark_safe(svg.split("?>", 1)[-1])  # noqa: S308 (our own SVG, see above)
