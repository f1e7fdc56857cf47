"""The rules of the public figures: which are published and which are suppressed.

A figure drawn from fewer than PUBLIC_STATISTICS_MIN_COUNT clues is suppressed, zero included:
showing zeros and hiding 1-4 would tell a reader that some report exists in a small province,
category or month. In a breakdown whose total is published, one suppressed row could be found
by subtraction, so more rows are suppressed (the smallest first) until the hidden rows
together hold at least the minimum. A rate is published only when both of its
figures are.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reporting.models import Category, Region
from reporting.statistics import public_counts

from .models import Snapshot

BREAKDOWN = ("received", "transferred", "concluded", "cases")


def _minimum():
    return settings.PUBLIC_STATISTICS_MIN_COUNT


def shown(value):
    return value if value >= _minimum() else None


def protect(cells, total):
    """{key: count} -> {key: count or None}. `total` may exceed the cells' sum (clues in no
    row, such as reports without a region): that remainder is never shown either."""
    minimum = _minimum()
    result = {key: shown(value) for key, value in cells.items()}
    rest = total - sum(cells.values())
    while True:
        hidden = [key for key, value in result.items() if value is None]
        hidden_sum = rest + sum(cells[key] for key in hidden)
        # Hidden rows that hold nothing, or together at least the minimum, reveal no one.
        if hidden_sum == 0 or hidden_sum >= minimum:
            return result
        published = [key for key, value in result.items() if value is not None]
        if not published:
            return result
        result[min(published, key=lambda key: (cells[key], str(key)))] = None


def _rate(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def _rates(row):
    row["verification_rate"] = _rate(row.get("concluded"), row.get("transferred"))
    row["case_rate"] = _rate(row.get("cases"), row.get("concluded"))
    return row


def _breakdown(rows_by_key, totals, keys, names):
    """Rows for every key (those with no clue included), each column protected."""
    columns = {
        name: protect({key: rows_by_key.get(key, {}).get(name, 0) for key in keys}, totals[name])
        for name in names
    }
    return {key: {name: columns[name][key] for name in names} for key in keys}


def build(now=None):
    """The published figures, as JSON-ready data: nothing in it is below the minimum."""
    now = now or timezone.now()
    counts = public_counts(now)
    totals = counts["totals"]
    published = _rates({name: shown(value) for name, value in totals.items()})

    categories = list(Category.objects.order_by("sort_order", "pk"))
    by_category = _breakdown(
        counts["categories"], totals, [each.pk for each in categories], BREAKDOWN
    )
    provinces = list(Region.get_root_nodes())
    by_province = _breakdown(
        counts["provinces"], totals, [each.path for each in provinces], BREAKDOWN
    )
    months = dict(counts["months"])
    month_totals = {
        name: sum(row[name] for row in months.values()) for name in ("received", "concluded")
    }
    by_month = _breakdown(months, month_totals, list(months), ("received", "concluded"))
    return {
        "minimum": _minimum(),
        "totals": published,
        "months": [{"month": month.isoformat(), **by_month[month]} for month in months],
        "categories": [
            {"name": each.name, "name_en": each.name_en, **_rates(by_category[each.pk])}
            for each in categories
        ],
        "provinces": [
            {"name": each.name, "name_en": each.name_en, **_rates(by_province[each.path])}
            for each in provinces
        ],
    }


def current():
    return Snapshot.objects.order_by("-computed_at").first()


def refresh(force=False):
    """Compute and store the figures unless the stored ones are younger than
    PUBLIC_STATISTICS_REFRESH_MINUTES. Returns the snapshot in place."""
    now = timezone.now()
    latest = current()
    fresh_until = timedelta(minutes=settings.PUBLIC_STATISTICS_REFRESH_MINUTES)
    if latest is not None and not force and now - latest.computed_at < fresh_until:
        return latest
    figures = build(now)
    with transaction.atomic():
        Snapshot.objects.all().delete()
        return Snapshot.objects.create(computed_at=now, figures=figures)
