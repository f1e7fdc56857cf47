import functools

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
    return _public_qr(settings.PORTAL_BASE_URL.rstrip("/") + path, size)


@functools.lru_cache(maxsize=8)
def _public_qr(url, size):
    """Drawn once per process and address: drawing took a quarter of the home page's render.
    Only the public report form's address is kept this way (the second-factor codes that
    staff scan hold a secret and are drawn each time)."""
    svg = qr.svg(url, size=size)
    # The SVG is generated here from a URL, not from user input; drop its XML prologue.
    return mark_safe(svg.split("?>", 1)[-1])  # nosec B308 B703 # noqa: S308 (our own SVG, see above)
