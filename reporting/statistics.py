"""The supervision figures of a unit's subtree for a period, computed by the database.

Definitions (docs/statistics.md says the same for readers of the page):
- received: clues reported in the period whose region lies in the unit's jurisdiction;
- accepted: clues of the jurisdiction accepted after screening in the period (a clue accepted
  again after a look-back counts once);
- transferred: distinct clues transferred in the period to a unit of the subtree (a clue sent
  twice counts once);
- acknowledged on time: transfers of the period to the subtree acknowledged within
  CLUE_ACKNOWLEDGE_DAYS days, out of the transfers of the period to the subtree;
- concluded: conclusions of units of the subtree that came to stand (third signature) in the
  period;
- verification rate: concluded / transferred; case rate: concluded with a criminal case filed
  / concluded;
- overdue now: open clues held by a unit of the subtree and marked overdue, at this moment;
- median days to acknowledge (over transfers of the period that were acknowledged) and to
  conclude (from the clue's transfer to its unit to the conclusion standing);
- repeat reports: clues of the jurisdiction reported again after their conclusion, in the
  period.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from reporting import statistics_facts as facts
from reporting.lifecycle.scope import in_jurisdiction

from .models import (
    Category,
    Clue,
    Conclusion,
    LedgerEntry,
    Region,
    StatisticsDay,
    StatisticsFact,
    StatisticsPending,
    Transfer,
    Unit,
)

Action = LedgerEntry.Action
OPEN = ~Q(status__in=Clue.ENDED)
COUNTS = (
    "received",
    "accepted",
    "repeats",
    "transferred",
    "transfers",
    "acknowledged_on_time",
    "concluded",
    "cases",
    "overdue_now",
)


def _without_jit(function):
    """Run the counting with PostgreSQL's JIT compiler off. The conditional aggregates carry
    a filter per row of the page, which JIT compiles anew for each query: on the benchmark's
    million clues that took longer than it saved (a national year 30 % slower with it)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if connection.vendor != "postgresql":
            return function(*args, **kwargs)
        # SET LOCAL lasts to the end of the transaction; no savepoint: counting only reads.
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            return function(*args, **kwargs)

    return wrapper


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    transferred: int = 0
    transfers: int = 0
    acknowledged_on_time: int = 0
    concluded: int = 0
    cases: int = 0
    overdue_now: int = 0
    repeats: int = 0
    median_days_to_acknowledge: float | None = None
    median_days_to_conclude: float | None = None

    @property
    def verification_rate(self):
        return self.concluded / self.transferred if self.transferred else None

    @property
    def case_rate(self):
        return self.cases / self.concluded if self.concluded else None

    @property
    def on_time_rate(self):
        return self.acknowledged_on_time / self.transfers if self.transfers else None


@dataclass
class _Group:
    """One row of a breakdown: which clues are its own (`clues`, a condition on Clue), which
    units' work is its own (`held`, a condition on the unit field a query names), and its
    period."""

    clues: Q
    start: datetime
    end: datetime
    unit_path: str | None = None
    category: Category | None = None
    channel: str | None = None
    # The unit below whose figures the row shows (kept sums read its nodes).
    child: Unit | None = None

    def held(self, unit_field, clue_prefix):
        condition = Q()
        if self.unit_path is not None:
            condition &= Q(**{f"{unit_field}__path__startswith": self.unit_path})
        if self.category is not None:
            condition &= Q(**{f"{clue_prefix}category": self.category})
        if self.channel is not None:
            condition &= Q(**{f"{clue_prefix}channel": self.channel})
        return condition

    def during(self, field):
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _work(unit, start, end, category):
    """The transfers into `unit`'s subtree and its conclusions that stood, in the period."""
    transfers = Transfer.objects.filter(
        to_unit__path__startswith=unit.path, created_at__gte=start, created_at__lt=end
    )
    stood = Conclusion.objects.filter(
        unit__path__startswith=unit.path, stood_at__gte=start, stood_at__lt=end
    )
    if category is not None:
        transfers = transfers.filter(clue__category=category)
        stood = stood.filter(clue__category=category)
    return transfers, stood


def _counts(unit, category, groups, live=False):
    """The count figures of each group: summed from the kept daily rows when the period is
    whole days (what the page asks for), else counted from the clues."""
    days = None if live else facts.whole_days(groups[0].start, groups[0].end)
    if days is None or any((g.start, g.end) != (groups[0].start, groups[0].end) for g in groups):
        return _live_counts(unit, category, groups)
    return _kept_counts(unit, category, groups, days)


def _within(outer, inner):
    """The region node of a child's jurisdiction inside its parent's: the deeper of two
    paths, None when neither holds the other (no clue is in both)."""
    if inner.startswith(outer):
        return inner
    if outer.startswith(inner):
        return outer
    return None


def _kept_counts(unit, category, groups, days):
    """The counts of each group from StatisticsDay and StatisticsPending, in two queries,
    plus "overdue now" (a state, not an event) counted from the clues in one more."""
    first, end = days
    chosen = category.pk if category is not None else facts.ALL_CATEGORIES
    region_node = unit.region.path if unit.region_id else ""
    specs = []
    for group in groups:
        by_region, by_unit, each, way = region_node, unit.path, chosen, facts.ALL_CHANNELS
        if group.child is not None:
            child = group.child
            inner = child.region.path if child.region_id else ""
            by_region, by_unit = _within(region_node, inner), child.path
        elif group.category is not None:
            each = group.category.pk
        elif group.channel is not None:
            way = group.channel
        specs.append((by_region, by_unit, each, way))
    regions = {by_region for by_region, *_rest in specs if by_region is not None}
    empty = {"total": 0, "flags": 0, "first": 0}
    sums = {}

    def summed(queryset):
        return (
            queryset.filter(bucket=0, day__gte=first, day__lt=end)
            .values("kind", "node", "category_id", "channel")
            .annotate(
                total=Sum("n"),
                flags=Sum("flagged"),
                first=Sum("n", filter=Q(prev_day__lt=first)),
            )
            .order_by()
        )

    # One statement, a part per rectangle of keys: each part an index range scan of
    # statday_sums over the period's days. The same keys as one OR of every group had
    # PostgreSQL scan the whole statday_key index: 1.7 s of a three-year page at 3,000,000
    # clues (docs/statistics.md).
    parts = [summed(StatisticsDay.objects.filter(**rows)) for rows in _rectangles(specs)]
    # The reports not yet folded into the daily sums are added to them (only reports are
    # pending: statistics_facts.first_facts), every category and channel of their regions,
    # each row to the sums it adds to (rolled_up).
    for rows, keys in (
        (parts[0].union(*parts[1:], all=True), lambda key: (key,)),
        (summed(StatisticsPending.objects.filter(node__in=regions)), facts.rolled_up),
    ):
        for row in rows:
            for key in keys((row["kind"], row["node"], row["category_id"], row["channel"])):
                kept = sums.setdefault(key, dict(empty))
                for name in empty:
                    kept[name] += row[name] or 0
    overdue = _overdue(unit, category, groups)
    results = []
    for (by_region, by_unit, each, way), late in zip(specs, overdue, strict=True):

        def row(kind, node, each=each, way=way):
            return sums.get((kind, node, each, way), empty) if node is not None else empty

        transferred, stood = row(facts.TRANSFERRED, by_unit), row(facts.CONCLUDED, by_unit)
        results.append(
            Figures(
                received=row(facts.RECEIVED, by_region)["total"] or 0,
                accepted=row(facts.ACCEPTED, by_region)["first"] or 0,
                repeats=row(facts.REPEATED, by_region)["first"] or 0,
                transferred=transferred["first"] or 0,
                transfers=transferred["total"] or 0,
                acknowledged_on_time=transferred["flags"] or 0,
                concluded=stood["total"] or 0,
                cases=stood["flags"] or 0,
                overdue_now=late,
            )
        )
    return results


# Which of a daily row's keys a part of the sums query lists, and the two it fixes besides
# the kinds.
_OTHER_KEYS = {
    "node": ("category_id", "channel"),
    "category_id": ("node", "channel"),
    "channel": ("node", "category_id"),
}


def _places(specs):
    """Each daily row (kinds, node, category, channel) that `specs` (by_region, by_unit,
    category, channel) need, with the three parts that could list it: varying its node,
    its category or its channel, the other two fixed."""
    for by_region, by_unit, each, way in specs:
        for kinds, node in ((facts.BY_UNIT, by_unit), (facts.BY_REGION, by_region)):
            if node is not None:
                yield (
                    ((kinds, "node", (each, way)), node),
                    ((kinds, "category_id", (node, way)), each),
                    ((kinds, "channel", (node, each)), way),
                )


def _rectangles(specs):
    """The daily rows `specs` need as filters, each fixing three of a row's four keys and
    listing values of the fourth (a breakdown by unit varies the node, by category the
    category, by channel the channel), so that each is an index range scan. Every row is
    in exactly one, so a union of them counts it once."""
    company = {}
    for places in _places(specs):
        for part, value in places:
            company.setdefault(part, set()).add(value)
    # A row goes to the widest of its three parts, for fewer and wider parts. It is in one
    # part only because the choice depends on the row alone.
    chosen = {}
    for places in _places(specs):
        part, value = max(places, key=lambda place: len(company[place[0]]))
        chosen.setdefault(part, set()).add(value)
    for (kinds, name, fixed), values in chosen.items():
        others = dict(zip(_OTHER_KEYS[name], fixed, strict=True))
        yield {"kind__in": kinds, f"{name}__in": sorted(values), **others}


def _overdue(unit, category, groups):
    """ "Overdue now" of each group, in one query over the overdue clues alone."""
    clues = Clue.objects.all()
    if category is not None:
        clues = clues.filter(category=category)
    overdue = {
        f"overdue_now{n}": Count("pk", filter=group.held("unit", ""))
        for n, group in enumerate(groups)
    }
    values = clues.filter(
        OPEN, unit__path__startswith=unit.path, overdue_since__isnull=False
    ).aggregate(**overdue)
    return [values[f"overdue_now{n}"] or 0 for n in range(len(groups))]


def _live_counts(unit, category, groups):
    """The count figures of each group, each figure family in one query whatever the number
    of groups and periods (conditional aggregation): the rows of every period are read once,
    so a whole page of breakdowns costs as much as a single figure."""
    start, end = min(group.start for group in groups), max(group.end for group in groups)
    clues = Clue.objects.all()
    if category is not None:
        clues = clues.filter(category=category)
    local = clues.filter(in_jurisdiction(unit))
    transfers, stood = _work(unit, start, end, category)
    on_time = Q(
        acknowledged_at__isnull=False,
        acknowledged_at__lte=F("created_at") + timedelta(days=settings.CLUE_ACKNOWLEDGE_DAYS),
    )
    received, logged, sent, concluded, overdue = {}, {}, {}, {}, {}
    for n, group in enumerate(groups):
        received[f"received{n}"] = Count("pk", filter=group.clues & group.during("created_at"))
        for name, action in (("accepted", Action.ACCEPTED), ("repeats", Action.REPORTED_AGAIN)):
            logged[f"{name}{n}"] = Count(
                "pk",
                distinct=True,
                filter=group.clues & Q(ledger__action=action) & group.during("ledger__at"),
            )
        held = group.held("to_unit", "clue__") & group.during("created_at")
        sent[f"transferred{n}"] = Count("clue", distinct=True, filter=held)
        sent[f"transfers{n}"] = Count("pk", filter=held)
        sent[f"acknowledged_on_time{n}"] = Count("pk", filter=held & on_time)
        held = group.held("unit", "clue__") & group.during("stood_at")
        concluded[f"concluded{n}"] = Count("pk", filter=held)
        cases = held & Q(outcome=Conclusion.Outcome.CRIMINAL_CASE)
        concluded[f"cases{n}"] = Count("pk", filter=cases)
        overdue[f"overdue_now{n}"] = Count("pk", filter=group.held("unit", ""))
    values = {
        **local.filter(created_at__gte=start, created_at__lt=end).aggregate(**received),
        # Filtering on the ledger first makes the aggregate join only the period's entries.
        **local.filter(
            ledger__at__gte=start,
            ledger__at__lt=end,
            ledger__action__in=[Action.ACCEPTED, Action.REPORTED_AGAIN],
        ).aggregate(**logged),
        **transfers.aggregate(**sent),
        **stood.aggregate(**concluded),
        **clues.filter(
            OPEN, unit__path__startswith=unit.path, overdue_since__isnull=False
        ).aggregate(**overdue),
    }
    return [
        Figures(**{name: values[f"{name}{n}"] or 0 for name in COUNTS}) for n in range(len(groups))
    ]


class _Median(Aggregate):
    """PostgreSQL's median: the mean of the two middle values for an even count, as below."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_days(queryset, duration):
    """The median of a duration, found by the database: one aggregate on PostgreSQL;
    elsewhere count, then read the middle row(s) in order."""
    values = queryset.annotate(span=ExpressionWrapper(duration, output_field=DurationField()))
    if connection.vendor == "postgresql":
        span = values.aggregate(median=_Median("span"))["median"]
        return None if span is None else round(span.total_seconds() / 86400, 1)
    count = values.count()
    if not count:
        return None
    ordered = values.order_by("span").values_list("span", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return round(sum(span.total_seconds() for span in middle) / len(middle) / 86400, 1)


def _kept_median(kind, unit, days, category):
    """An exact median from the kept rows: the buckets' counts say which bucket holds
    the middle value(s); only that bucket's facts are read, in order."""
    first, end = days
    chosen = category.pk if category is not None else facts.ALL_CATEGORIES
    buckets = list(
        StatisticsDay.objects.filter(
            kind=kind,
            node=unit.path,
            category_id=chosen,
            channel=facts.ALL_CHANNELS,
            day__gte=first,
            day__lt=end,
        )
        .values_list("bucket")
        .annotate(n=Sum("n"))
        .order_by("bucket")
    )
    total = sum(n for _bucket, n in buckets)
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2
    seen, before, lowest, highest = 0, None, None, None
    for bucket, n in buckets:
        if lowest is None and seen + n > low:
            lowest, before = bucket, seen
        if seen + n > high:
            highest = bucket
            break
        seen += n
    source = StatisticsFact.objects.filter(
        kind=facts.TRANSFERRED if kind == facts.ACKNOWLEDGE_SPAN else kind,
        day__gte=first,
        day__lt=end,
        path__startswith=unit.path,
        micros__gte=facts.bucket_span(lowest)[0],
        micros__lt=facts.bucket_span(highest)[1],
    )
    if category is not None:
        source = source.filter(category_id=category.pk)
    middle = list(
        source.order_by("micros").values_list("micros", flat=True)[
            low - before : high - before + 1
        ]
    )
    return round(sum(middle) / len(middle) / 1_000_000 / 86400, 1)


def _with_medians(result, unit, start, end, category, live=False):
    days = None if live else facts.whole_days(start, end)
    if days is not None:
        result.median_days_to_acknowledge = _kept_median(
            facts.ACKNOWLEDGE_SPAN, unit, days, category
        )
        result.median_days_to_conclude = _kept_median(facts.CONCLUDE_SPAN, unit, days, category)
        return result
    transfers, stood = _work(unit, start, end, category)
    result.median_days_to_acknowledge = _median_days(
        transfers.filter(acknowledged_at__isnull=False), F("acknowledged_at") - F("created_at")
    )
    result.median_days_to_conclude = _median_days(
        stood.filter(
            clue__transfers__to_unit=F("unit"), clue__transfers__created_at__lte=F("stood_at")
        ),
        F("stood_at") - F("clue__transfers__created_at"),
    )
    return result


@_without_jit
def figures(unit, start, end, category=None, live=False):
    """The figures of `unit`'s subtree for start <= time < end (aware datetimes). `live`:
    counted from the clues even over whole days (the reference the kept sums must equal)."""
    (result,) = _counts(unit, category, [_Group(clues=Q(), start=start, end=end)], live)
    return _with_medians(result, unit, start, end, category, live)


def _child_groups(unit, start, end):
    children = list(unit.get_children().select_related("region").order_by("path"))
    groups = [
        _Group(
            clues=in_jurisdiction(child), start=start, end=end, unit_path=child.path, child=child
        )
        for child in children
    ]
    return children, groups


def _category_groups(start, end, category):
    categories = [category] if category else list(Category.objects.order_by("sort_order"))
    groups = [
        _Group(clues=Q(category=each), start=start, end=end, category=each) for each in categories
    ]
    return categories, groups


def _channel_groups(start, end):
    channels = list(Clue.Channel)
    groups = [
        _Group(clues=Q(channel=each), start=start, end=end, channel=each) for each in channels
    ]
    return channels, groups


@_without_jit
def by_child_unit(unit, start, end, category=None, live=False):
    """[(child unit, its Figures)] for each unit directly under `unit`, in tree order."""
    children, groups = _child_groups(unit, start, end)
    return list(zip(children, _counts(unit, category, groups, live), strict=True))


@_without_jit
def by_category(unit, start, end, category=None, live=False):
    """[(category, Figures of `unit`'s subtree for it)]: every category, or only `category`."""
    categories, groups = _category_groups(start, end, category)
    return list(zip(categories, _counts(unit, category, groups, live), strict=True))


@dataclass
class Overview:
    current: Figures
    previous: Figures
    children: list
    categories: list
    # [(Clue.Channel, Figures)]: every channel, in the order of the choices.
    channels: list
    # {key: [this period, the period before]} of the figures other apps register.
    registered: dict = field(default_factory=dict)


@_without_jit
def overview(unit, start, end, category=None, live=False):
    """What the statistics page shows: the period and the one before it, each with its
    medians, and the period by unit below, by category and by channel, counted in one pass
    per period."""
    before = previous_period(start, end)
    children, child_groups = _child_groups(unit, start, end)
    categories, category_groups = _category_groups(start, end, category)
    channels, channel_groups = _channel_groups(start, end)
    total = _Group(clues=Q(), start=start, end=end)
    current, *rows = _counts(
        unit, category, [total, *child_groups, *category_groups, *channel_groups], live
    )
    # The period before on its own: in the same pass, every row of both periods would be
    # weighed against every group of the breakdowns.
    (previous,) = _counts(
        unit, category, [_Group(clues=Q(), start=before[0], end=before[1])], live
    )
    return Overview(
        current=_with_medians(current, unit, start, end, category, live),
        previous=_with_medians(previous, unit, *before, category, live),
        children=list(zip(children, rows[: len(children)], strict=True)),
        categories=list(
            zip(categories, rows[len(children) : len(children) + len(categories)], strict=True)
        ),
        channels=list(zip(channels, rows[len(children) + len(categories) :], strict=True)),
        registered=registered_values(unit, start, end, category),
    )


def previous_period(start, end):
    return start - (end - start), start


def _grouped(queryset, key, aggregate):
    """{group key: count} in one GROUP BY query."""
    rows = queryset.annotate(group=key).values("group").annotate(n=aggregate).order_by()
    return {row["group"]: row["n"] for row in rows}


def _rows(**columns):
    """{key: {figure: count}} from {figure: {key: count}}."""
    keys = {key for column in columns.values() for key in column if key is not None}
    return {key: {name: column.get(key, 0) for name, column in columns.items()} for key in keys}


def public_counts(now, months=12):
    """The raw counts behind the public statistics page: totals and breakdowns over every clue
    ever received, and a monthly series over the last `months` calendar months (this one
    included). Never shown as they are: the page's builder suppresses small figures first.

    received: clues reported; accepted: clues accepted after screening (valid clues);
    transferred: clues transferred for verification; concluded: clues with a conclusion that
    came to stand; cases: clues whose standing conclusion led to a criminal case. Provinces
    are keyed by their region path, categories by id, channels by their value, months by
    their first day."""
    first = timezone.localdate(now).replace(day=1)
    series = [first]
    for _ in range(months - 1):
        series.insert(0, (series[0] - timedelta(days=1)).replace(day=1))
    window = datetime.combine(series[0], time.min, tzinfo=timezone.get_current_timezone())
    clue_count, distinct_clues = Count("pk"), Count("clue", distinct=True)
    cases = Count("clue", distinct=True, filter=Q(outcome=Conclusion.Outcome.CRIMINAL_CASE))
    clues, transfers = Clue.objects.all(), Transfer.objects.all()
    stood = Conclusion.objects.filter(stood_at__isnull=False)

    def breakdown(clue_key, related_key):
        return _rows(
            received=_grouped(clues, clue_key, clue_count),
            transferred=_grouped(transfers, related_key, distinct_clues),
            concluded=_grouped(stood, related_key, distinct_clues),
            cases=_grouped(stood, related_key, cases),
        )

    def month(field):
        # The month in the portal's time zone, as its first day.
        return TruncMonth(field, output_field=DateField())

    by_month = _rows(
        received=_grouped(clues.filter(created_at__gte=window), month("created_at"), clue_count),
        concluded=_grouped(stood.filter(stood_at__gte=window), month("stood_at"), distinct_clues),
    )
    return {
        "totals": {
            **clues.aggregate(received=clue_count),
            **LedgerEntry.objects.filter(action=Action.ACCEPTED).aggregate(
                accepted=distinct_clues
            ),
            **transfers.aggregate(transferred=distinct_clues),
            **stood.aggregate(concluded=distinct_clues, cases=cases),
        },
        "months": [
            (first_day, by_month.get(first_day, {"received": 0, "concluded": 0}))
            for first_day in series
        ],
        "categories": breakdown(F("category"), F("clue__category")),
        "provinces": breakdown(
            Substr("region__path", 1, Region.steplen),
            Substr("clue__region__path", 1, Region.steplen),
        ),
        "channels": breakdown(F("channel"), F("clue__channel")),
        # What other apps count (rewards): totals only, suppressed by the page's builder.
        "registered": registered_public_figures(),
    }


def clue_counts_by_entry_code(codes):
    """{entry code: (clues submitted, clues accepted after screening)} for poster figures.
    Only counts leave this app: which clue came from which poster stays here."""
    rows = (
        Clue.objects.filter(entry_code__in=codes)
        .values("entry_code")
        .annotate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=~Q(status__in=Clue.NEVER_ACCEPTED)),
        )
    )
    return {row["entry_code"]: (row["submitted"], row["accepted"]) for row in rows}


# Figures other apps add to both pages, without this app knowing them (reporting imports no
# app that builds on it): [(order, name, function)].
_FIGURES = []
_PUBLIC_FIGURES = []


@dataclass(frozen=True)
class Scope:
    """What a registered figure counts over: the work of `unit` and the units under it, in
    start <= time < end (aware datetimes, whole days in the portal's time zone), in one
    category when one is chosen."""

    unit: Unit
    start: datetime
    end: datetime
    category: Category | None = None


@dataclass(frozen=True)
class PublicFigure:
    """One registered public figure, over everything ever recorded. An amount names the
    count it is drawn from (`drawn_from`): it is published only when that count is."""

    key: str
    label: str
    value: int
    drawn_from: str | None = None
    # What the page says the figure counts.
    definition: str = ""


def _register(entries, order, name, function):
    # Registering again under a name replaces it: ready() may run twice in tests.
    entries[:] = [entry for entry in entries if entry[1] != name]
    entries.append((order, name, function))
    entries.sort(key=lambda entry: (entry[0], entry[1]))


def add_figures(order, name, function, rows):
    """Register figures for the supervisors' page: `rows` [(key, label, definition)] say what
    the page shows; function([Scope]) -> [{key: number or None}], one per scope (the same
    unit and category, several periods), counts them in a few queries whatever the scope and
    the number of periods (the page's query count stays bounded). The values are stored with
    the page's snapshots, under their keys."""
    _register(_FIGURES, order, name, (function, rows))


def add_public_figures(order, name, function):
    """Register function() -> [PublicFigure] for the public statistics snapshot."""
    _register(_PUBLIC_FIGURES, order, name, function)


def registered_values(unit, start, end, category=None):
    """{key: [this period's value, the previous period's]} of every registered figure."""
    scopes = [
        Scope(unit, start, end, category),
        Scope(unit, *previous_period(start, end), category),
    ]
    values = {}
    for _order, _name, (function, _rows) in _FIGURES:
        current, previous = function(scopes)
        values.update({key: [current.get(key), previous.get(key)] for key in current})
    return values


def registered_rows(values):
    """[(label, this period's value, the previous period's, definition)] of every registered
    figure, in their order; a figure missing from `values` shows none."""
    return [
        (label, *values.get(key, (None, None)), definition)
        for _order, _name, (_function, rows) in _FIGURES
        for key, label, definition in rows
    ]


def registered_public_figures():
    """[PublicFigure] of every registered function, in their order: raw, never shown as
    they are."""
    return [figure for _order, _name, function in _PUBLIC_FIGURES for figure in function()]
