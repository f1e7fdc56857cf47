"""The monthly chart of the public page, drawn here as SVG: black bars on white with every
number written beside its bar, so it survives a black-and-white printer; the table below it
carries the same numbers for screen readers."""

from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import pgettext


def monthly_chart(months, minimum):
    bar, gap, height, top = 26, 6, 120, 18
    peak = max([row["received"] or 0 for row in months] + [1])
    parts = []
    for index, row in enumerate(months):
        x = index * (bar + gap)
        month = date.fromisoformat(row["month"])
        label = escape(date_format(month, pgettext("month under a chart bar: a date format", "M")))
        value = row["received"]
        if value is None:
            # Suppressed: an outline and the words instead of a height, so no bar hints at it.
            parts.append(
                f'<rect x="{x}" y="{top + height - 12}" width="{bar}" height="12" fill="none" '
                f'stroke="#000" stroke-dasharray="2 2"/>'
                f'<text x="{x + bar / 2}" y="{top + height - 16}" font-size="10" '
                f'text-anchor="middle">&lt;{minimum}</text>'
            )
        else:
            length = max(1, round(height * value / peak))
            parts.append(
                f'<rect x="{x}" y="{top + height - length}" width="{bar}" height="{length}" '
                f'fill="#000"/><text x="{x + bar / 2}" y="{top + height - length - 4}" '
                f'font-size="10" text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text x="{x + bar / 2}" y="{top + height + 14}" font-size="10" '
            f'text-anchor="middle">{label}</text>'
        )
    width = len(months) * (bar + gap)
    total = top + height + 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" '
        f'width="100%" role="img" aria-hidden="true" class="chart">{"".join(parts)}</svg>'
    )
