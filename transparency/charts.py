"""The monthly chart of the public page, drawn here as SVG: black bars on white with every
number written beside its bar, so it survives a black-and-white printer; the table below it
carries the same numbers for screen readers.

The bars lie across, one month a line, in a drawing 320 units wide: a 360 px phone shows it
at about its own size (the page's side margins leave 328 px), so the 12-unit labels read at
12 px or more, and the stylesheet caps its width on a wide screen. Upright bars for twelve
months would have to shrink to fit a phone, and their labels with them."""

from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.translation import pgettext

WIDTH = 320
LINE = 22
FONT = 12
LABEL_END = 48  # the month names end here, right-aligned
BAR_START = 54
BAR_LONGEST = 180  # leaves room after the longest bar for its number or the word


def monthly_chart(months):
    peak = max([row["received"] or 0 for row in months] + [1])
    parts = []
    for index, row in enumerate(months):
        top = index * LINE + 4
        middle = top + LINE / 2
        month = date.fromisoformat(row["month"])
        label = escape(date_format(month, pgettext("month under a chart bar: a date format", "M")))
        parts.append(
            f'<text x="{LABEL_END}" y="{middle}" font-size="{FONT}" text-anchor="end" '
            f'dominant-baseline="central">{label}</text>'
        )
        value = row["received"]
        if value is None:
            # Suppressed: an outline and the word instead of a length, so no bar hints at it.
            end = BAR_START + 12
            parts.append(
                f'<rect x="{BAR_START}" y="{top + 4}" width="12" height="{LINE - 8}" '
                f'fill="none" stroke="#000" stroke-dasharray="2 2"/>'
            )
            words = escape(pgettext("a figure not shown", "suppressed"))
        else:
            end = BAR_START + max(1, round(BAR_LONGEST * value / peak))
            parts.append(
                f'<rect x="{BAR_START}" y="{top + 4}" width="{end - BAR_START}" '
                f'height="{LINE - 8}" fill="#000"/>'
            )
            words = number_format(value, force_grouping=True)
        parts.append(
            f'<text x="{end + 6}" y="{middle}" font-size="{FONT}" '
            f'dominant-baseline="central">{words}</text>'
        )
    height = len(months) * LINE + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-hidden="true" class="chart">{"".join(parts)}</svg>'
    )
