from datetime import date

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def figure(context, value):
    """A published count, or the words for a suppressed one (with an abbreviation that a
    screen reader expands)."""
    if value is None:
        minimum = context["figures"]["minimum"]
        return format_html(
            '<abbr title="{}">&lt;{}</abbr>',
            _("fewer than %(minimum)s, not shown") % {"minimum": minimum},
            minimum,
        )
    return number_format(value, force_grouping=True)


@register.filter
def rate(value):
    if value is None:
        return "—"
    return f"{number_format(value * 100, decimal_pos=1)}%"


@register.filter
def month(value):
    """'2026-11-01' -> the month as the reader's language writes it."""
    return date_format(date.fromisoformat(value), "YEAR_MONTH_FORMAT")
