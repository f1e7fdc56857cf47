"""Stored statistics of the standard periods: what supervisors open most is read, not counted.

Counting a national year over a million clues takes seconds; the task worker does it with the
periodic checks instead, for every unit somebody supervises (and the national office), for
each standard period, all categories, and stores the page's figures. The page shows a
stored snapshot when the request asks exactly for one (same unit, first and last day, no
category) and it is fresh; anything else is counted live, exactly as before. Per-day counters
were no option: "transferred" and "accepted" count distinct clues over the whole period.
"""

import logging
import math
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from django_tasks import task

from reporting import statistics
from reporting.models import Category, Clue, Membership, StatisticsSnapshot, Unit

logger = logging.getLogger(__name__)

# The standard periods, in the order the page offers them. Calendar periods, as work reports
# count them; the first is what the page shows when nothing is chosen.
PRESETS = {
    "month": gettext_lazy("This month so far"),
    "last-month": gettext_lazy("Last month"),
    "year": gettext_lazy("This year so far"),
    "last-year": gettext_lazy("Last year"),
}
DEFAULT_PRESET = "month"
# Bump when the stored figures change shape: older snapshots are then counted live until the
# worker replaces them.
FORMAT = 3  # 2: by channel too; 3: the figures other apps register
# A run stops starting new snapshots after this long and queues the rest as a new task, so
# one run never holds a worker for long whatever the number of supervised units.
RUN_SECONDS = 120
# A snapshot the worker will be due to recount within this much of now is recounted in this
# round: the counting itself takes time, which must not push it to the round after.
GRACE = timedelta(minutes=1)
# Any constant of our own, so that two workers never count the same snapshots at once.
LOCK_KEY = 0x5754_4154


def preset_dates(name, today):
    """(first day, last day) of a standard period containing or before `today`."""
    if name == "month":
        return today.replace(day=1), today
    if name == "last-month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "year":
        return today.replace(month=1, day=1), today
    if name == "last-year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise KeyError(name)


def bounds(start, end):
    """Whole days in the portal's time zone: [first day 00:00, the day after the last)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone),
    )


def refresh_minutes():
    """How often a snapshot is recounted: the worker looks every PERIODIC_CHECK_MINUTES and
    recounts those older than STATISTICS_SNAPSHOT_MINUTES, so at the first round after."""
    every = settings.PERIODIC_CHECK_MINUTES
    return every * math.ceil(settings.STATISTICS_SNAPSHOT_MINUTES / every)


def oldest_shown(now):
    """Older snapshots are not shown: one late or missed round is tolerated, a stopped worker
    is not (the page then counts live)."""
    return now - timedelta(minutes=2 * refresh_minutes())


def snapshot_units():
    """The units whose figures are kept: each one somebody supervises, and the root(s), which
    administrators see first."""
    supervised = Q(memberships__role=Membership.Role.SUPERVISOR)
    return Unit.objects.filter(Q(depth=1) | supervised).distinct().order_by("path")


def dump(overview):
    return {
        "format": FORMAT,
        "current": asdict(overview.current),
        "previous": asdict(overview.previous),
        "children": [[child.pk, asdict(figures)] for child, figures in overview.children],
        "categories": [[each.pk, asdict(figures)] for each, figures in overview.categories],
        "channels": [[each.value, asdict(figures)] for each, figures in overview.channels],
        "registered": overview.registered,
    }


def _rows(objects, stored, key=lambda each: each.pk):
    """[(object, Figures)] in the objects' current order, or None when the stored rows are
    for other objects (a unit, category or channel added or removed since)."""
    by_id = dict(stored)
    if {key(each) for each in objects} != set(by_id) or len(by_id) != len(stored):
        return None
    return [(each, statistics.Figures(**by_id[key(each)])) for each in objects]


def load(unit, figures):
    """The stored figures as the Overview statistics.overview() returns, or None when they
    cannot stand for it any more."""
    if figures.get("format") != FORMAT:
        return None
    try:
        children = _rows(list(unit.get_children().order_by("path")), figures["children"])
        categories = _rows(list(Category.objects.order_by("sort_order")), figures["categories"])
        channels = _rows(list(Clue.Channel), figures["channels"], key=lambda each: each.value)
        if children is None or categories is None or channels is None:
            return None
        return statistics.Overview(
            current=statistics.Figures(**figures["current"]),
            previous=statistics.Figures(**figures["previous"]),
            children=children,
            categories=categories,
            channels=channels,
            registered=dict(figures["registered"]),
        )
    except (KeyError, TypeError, ValueError):
        logger.warning("unreadable statistics snapshot of unit %s; counting live", unit.pk)
        return None


def stored(unit, start, end, now=None):
    """(Overview, when it was counted) of a fresh snapshot of exactly this unit and period,
    or None. The caller has checked that the person may see `unit`; the snapshot's rows are
    its children, so nothing outside its subtree is shown."""
    now = now or timezone.now()
    snapshot = (
        StatisticsSnapshot.objects.filter(
            unit=unit, start=start, end=end, computed_at__gt=oldest_shown(now)
        )
        .only("computed_at", "figures")
        .first()
    )
    if snapshot is None:
        return None
    overview = load(unit, snapshot.figures)
    return None if overview is None else (overview, snapshot.computed_at)


@contextmanager
def _one_worker():
    """True for the one worker that may count now. PostgreSQL's advisory lock is released
    with the connection if the worker dies; SQLite runs one writer anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        (acquired,) = cursor.fetchone()
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def wanted(today):
    """{(unit id, first day, last day)} of every snapshot that should exist today."""
    periods = {preset_dates(name, today) for name in PRESETS}
    return {(unit.pk, start, end) for unit in snapshot_units() for start, end in periods}


def refresh(force=False, seconds=RUN_SECONDS):
    """Recount the snapshots that are missing or due, the oldest first, until `seconds` have
    passed (at least one is counted); delete those of periods that have passed or units no
    longer supervised. Returns (counted, still due); (0, 0) when another worker is at it."""
    with _one_worker() as acquired:
        if not acquired:
            return 0, 0
        now = timezone.now()
        keys = wanted(timezone.localdate(now))
        existing = {
            (unit_id, start, end): (pk, computed_at)
            for pk, unit_id, start, end, computed_at in StatisticsSnapshot.objects.values_list(
                "pk", "unit_id", "start", "end", "computed_at"
            )
        }
        gone = [pk for key, (pk, _) in existing.items() if key not in keys]
        if gone:
            StatisticsSnapshot.objects.filter(pk__in=gone).delete()
        due_before = now - timedelta(minutes=settings.STATISTICS_SNAPSHOT_MINUTES) + GRACE
        never = datetime.fromtimestamp(0, UTC)
        due = sorted(
            (existing[key][1] if key in existing else never, key)
            for key in keys
            if force or key not in existing or existing[key][1] <= due_before
        )
        units = Unit.objects.in_bulk({unit_id for _, (unit_id, _, _) in due})
        began = time.monotonic()
        counted = 0
        for _, (unit_id, start, end) in due:
            if counted and time.monotonic() - began > seconds:
                break
            computed_at = timezone.now()
            overview = statistics.overview(units[unit_id], *bounds(start, end))
            StatisticsSnapshot.objects.update_or_create(
                unit_id=unit_id,
                start=start,
                end=end,
                defaults={"computed_at": computed_at, "figures": dump(overview)},
            )
            counted += 1
        return counted, len(due) - counted


@task()
def refresh_statistics_snapshots():
    """Queued with the periodic checks; recounts only the supervisors' stored figures that are
    due, so it is cheap to queue often. What one run leaves is queued as the next run."""
    counted, left = refresh()
    if left:
        refresh_statistics_snapshots.enqueue()
    return {"counted": counted, "left": left}
