"""The rules of the public figures: which are published and which are suppressed.

A figure drawn from fewer than PUBLIC_STATISTICS_MIN_COUNT clues is suppressed, zero included:
showing zeros and hiding 1-4 would tell a reader that some report exists in a small province,
category or month. In a breakdown whose total is published, one suppressed row could be found
by subtraction, so more rows are suppressed (the smallest first) until the hidden rows
together hold at least the minimum. A rate is published only when both of its figures are.

The columns of a breakdown by kind or province are nested (received >= transferred >= concluded
>= cases, each a subset of the one before), so a row's figures bound each other:

- once a figure of a row is suppressed, the row's later figures are too, so that no published
  figure sits beside a larger hidden one (a "received" hidden beside 8 "transferred" would
  tell the reader that it is at least 8, and that the column's other hidden rows hold less);
- a hidden figure can be no larger than the published figure before it in its row, so after
  subtraction the other hidden figures of its column must still be able to hold all that is
  hidden: otherwise a small figure would be known to be above zero, and more is suppressed.

A suppressed figure may therefore be well above the minimum: the page calls every hidden figure
"suppressed", never "<5", and publishes what the hidden figures of each column hold together
(the total less the published rows: nothing a reader could not subtract), so that the rows
add up.
"""

from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from reporting.models import Category, Clue, Region
from reporting.statistics import public_counts

from .models import Snapshot

BREAKDOWN = ("received", "transferred", "concluded", "cases")
# The shape of the stored figures. A snapshot of an older format is replaced at the next
# refresh whatever its age, and the page shows what it has until then. 2: by channel too.
# 3: the figures other apps register (rewards).
FORMAT = 3
# The clues of a breakdown that are in none of its rows (reports without a place).
REST = object()


def _minimum():
    return settings.PUBLIC_STATISTICS_MIN_COUNT


def shown(value):
    return value if value >= _minimum() else None


def protect(cells, total, hidden=()):
    """{key: count} -> {key: count or None}. `total` may exceed the cells' sum (clues in no
    row, such as reports without a region): that remainder is never shown either. The keys
    in `hidden` are suppressed whatever their count."""
    minimum = _minimum()
    result = {key: None if key in hidden else shown(value) for key, value in cells.items()}
    rest = total - sum(cells.values())
    while True:
        hidden_keys = [key for key, value in result.items() if value is None]
        hidden_sum = rest + sum(cells[key] for key in hidden_keys)
        # Hidden rows that hold nothing, or together at least the minimum, reveal no one.
        if hidden_sum == 0 or hidden_sum >= minimum:
            return result
        published = [key for key, value in result.items() if value is not None]
        if not published:
            return result
        result[min(published, key=lambda key: (cells[key], str(key)))] = None


def hidden_remainder(cells, total, published):
    """What the suppressed figures of a column hold together (the reports in no row
    included), when the column's total is published: the total less the published rows."""
    if shown(total) is None:
        return None
    return total - sum(value for value in published.values() if value is not None)


def _capacity(result, remainders, names, index, rows):
    """The most that the hidden figures of `rows` in column `index` can hold together, as a
    reader can tell: no more than the column's hidden remainder, nor than the figures before
    them in their rows (published ones, or what those hidden before can hold)."""
    if not rows:
        return 0
    if index == 0:
        return remainders[names[0]]
    before = names[index - 1]
    published = sum(
        result[before][key] for key in rows if key is not REST and result[before][key] is not None
    )
    hidden = [key for key in rows if key is REST or result[before][key] is None]
    return min(
        remainders[names[index]],
        published + _capacity(result, remainders, names, index - 1, hidden),
    )


def _revealing(cells, totals, result, names, with_rest):
    """(column, key) of a published figure to suppress because a hidden small figure could be
    shown to be above zero (the others hidden beside it could not hold all that is hidden);
    None when none can."""
    minimum = _minimum()
    remainders = {
        name: hidden_remainder(cells[name], totals[name], result[name]) for name in names
    }
    for index, name in enumerate(names):
        if not remainders[name] or any(remainders[each] is None for each in names[:index]):
            continue
        hidden = [key for key, value in result[name].items() if value is None]
        hidden += [REST] if with_rest else []
        for key in hidden:
            value = totals[name] - sum(cells[name].values()) if key is REST else cells[name][key]
            others = [other for other in hidden if other is not key]
            if (
                not 0 < value < minimum
                or _capacity(result, remainders, names, index, others) >= remainders[name]
            ):
                continue
            published = [other for other, shown_ in result[name].items() if shown_ is not None]
            if published:
                return name, min(published, key=lambda other: (cells[name][other], str(other)))
            # Every figure of the column is hidden: loosen what caps the others, the published
            # figures before them in their rows, or else the remainder of a column before.
            for earlier in reversed(names[:index]):
                capping = [
                    other
                    for other in others
                    if other is not REST and result[earlier][other] is not None
                ] or [other for other, shown_ in result[earlier].items() if shown_ is not None]
                if capping:
                    return earlier, min(
                        capping, key=lambda other: (cells[earlier][other], str(other))
                    )
    return None


def protect_table(cells, totals, names, nested=True, with_rest=False):
    """{name: {key: count}} -> {name: {key: count or None}}: every column protected, and, when
    the columns are nested, the rows' figures kept from bounding a hidden one (see above)."""
    forced = {name: set() for name in names}
    while True:
        result = {name: protect(cells[name], totals[name], hidden=forced[name]) for name in names}
        grown = False
        if nested:
            for before, after in pairwise(names):
                for key, value in result[after].items():
                    if value is not None and result[before][key] is None:
                        forced[after].add(key)
                        grown = True
        if grown:
            continue
        revealing = _revealing(cells, totals, result, names, with_rest) if nested else None
        if revealing is None:
            return result
        forced[revealing[0]].add(revealing[1])


def _rate(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def _rates(row):
    row["verification_rate"] = _rate(row.get("concluded"), row.get("transferred"))
    row["case_rate"] = _rate(row.get("cases"), row.get("concluded"))
    return row


def _breakdown(rows_by_key, totals, keys, names, nested=True, with_rest=False):
    """Rows for every key (those with no clue included), and what the hidden figures of each
    column hold together."""
    cells = {name: {key: rows_by_key.get(key, {}).get(name, 0) for key in keys} for name in names}
    columns = protect_table(cells, totals, names, nested=nested, with_rest=with_rest)
    rows = {key: {name: columns[name][key] for name in names} for key in keys}
    suppressed = {
        name: hidden_remainder(cells[name], totals[name], columns[name]) for name in names
    }
    return rows, suppressed


def _names(label, field="name"):
    """A text in both languages, stored with its figure so the page needs no other app."""
    names = {}
    for key, language in ((field, settings.LANGUAGE_CODE), (f"{field}_en", "en")):
        with translation.override(language):
            names[key] = str(label)
    return names


def _registered(figures):
    """The figures other apps register, suppressed: a count under the minimum, and an amount
    whose count is (its total would tell how much a few reporters were paid)."""
    counts = {figure.key: figure.value for figure in figures}
    rows = []
    for figure in figures:
        if figure.drawn_from is None:
            value = shown(figure.value)
        else:
            value = figure.value if shown(counts.get(figure.drawn_from, 0)) is not None else None
        rows.append(
            {
                "key": figure.key,
                **_names(figure.label),
                **_names(figure.definition, "definition"),
                "value": value,
            }
        )
    return rows


def _channel_names(channel):
    """A channel's label in both languages, stored with its figures as a kind's names are, so
    the page labels a row without reading the clue models."""
    return _names(channel.label)


def build(now=None):
    """The published figures, as JSON-ready data: nothing in it is below the minimum."""
    now = now or timezone.now()
    counts = public_counts(now)
    totals = counts["totals"]
    published = _rates({name: shown(value) for name, value in totals.items()})

    categories = list(Category.objects.order_by("sort_order", "pk"))
    by_category, category_suppressed = _breakdown(
        counts["categories"], totals, [each.pk for each in categories], BREAKDOWN
    )
    provinces = list(Region.get_root_nodes())
    by_province, province_suppressed = _breakdown(
        counts["provinces"], totals, [each.path for each in provinces], BREAKDOWN, with_rest=True
    )
    # Every channel is a row, those with no clue too (their zero is suppressed like any small
    # figure), as every kind is: a missing row would tell a reader it holds no report.
    channels = list(Clue.Channel)
    by_channel, channel_suppressed = _breakdown(
        counts["channels"], totals, [each.value for each in channels], BREAKDOWN
    )
    months = dict(counts["months"])
    month_totals = {
        name: sum(row[name] for row in months.values()) for name in ("received", "concluded")
    }
    # Conclusions of a month are not a subset of its reports: the month's columns are apart.
    by_month, month_suppressed = _breakdown(
        months, month_totals, list(months), ("received", "concluded"), nested=False
    )
    return {
        "format": FORMAT,
        "minimum": _minimum(),
        "totals": published,
        "registered": _registered(counts["registered"]),
        "months": [{"month": month.isoformat(), **by_month[month]} for month in months],
        "month_totals": {name: shown(value) for name, value in month_totals.items()},
        "categories": [
            {"name": each.name, "name_en": each.name_en, **_rates(by_category[each.pk])}
            for each in categories
        ],
        "provinces": [
            {"name": each.name, "name_en": each.name_en, **_rates(by_province[each.path])}
            for each in provinces
        ],
        "channels": [
            {"channel": each.value, **_channel_names(each), **_rates(by_channel[each.value])}
            for each in channels
        ],
        # What the suppressed figures of each table's columns hold together: the rows shown
        # and this line add up to the published total.
        "suppressed": {
            "months": month_suppressed,
            "categories": category_suppressed,
            "provinces": province_suppressed,
            "channels": channel_suppressed,
        },
    }


def current():
    return Snapshot.objects.order_by("-computed_at").first()


def refresh(force=False):
    """Compute and store the figures unless the stored ones are younger than
    PUBLIC_STATISTICS_REFRESH_MINUTES and of the current format. Returns the snapshot in
    place."""
    now = timezone.now()
    latest = current()
    fresh_until = timedelta(minutes=settings.PUBLIC_STATISTICS_REFRESH_MINUTES)
    if (
        latest is not None
        and not force
        and latest.figures.get("format") == FORMAT
        and now - latest.computed_at < fresh_until
    ):
        return latest
    figures = build(now)
    with transaction.atomic():
        Snapshot.objects.all().delete()
        return Snapshot.objects.create(computed_at=now, figures=figures)
