from datetime import date

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def figure(value):
    """A published count, or the word for a suppressed one. One word for every hidden figure:
    some are hidden although large, only so that a small one cannot be worked out, and "<5"
    would be untrue of them (the note under each table says why)."""
    if value is None:
        return format_html(
            '<span class="suppressed">{}</span>', pgettext("a figure not shown", "suppressed")
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
