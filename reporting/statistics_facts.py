"""The supervisors' figures kept as they happen, so that any period, unit and category is
summed from a few thousand daily rows instead of counted from the clues.

Each clue's facts (StatisticsFact) are derived from the clue as it stands: its report, its
acceptances and repeat reports in the ledger, its transfers, its conclusions that stood.
refresh() derives them again and, when they differ from the stored ones, replaces them and
corrects the daily sums (StatisticsDay) by the difference, in the caller's transaction. The
ledger calls it for every entry of an action that can change a figure (FIGURE_ACTIONS),
after the change itself is written, so a figure and the change it counts commit together.
rebuild() derives every clue's facts again (migration 0027, `rebuild_statistics_facts`).

The sums are keyed by node: every region path above a clue's region and "" (all clues) for
what is counted by jurisdiction, every unit path above the unit for the work of a subtree.
A count of distinct clues over a period is the sum of the rows whose prev_day (the day of
the same clue's previous event of that kind under that node) lies before the period: of
each clue's events in the period exactly the first has that.
"""

import math
from collections import Counter, defaultdict
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reporting.models import (
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

RECEIVED, ACCEPTED, REPEATED, TRANSFERRED, CONCLUDED, CONCLUDE_SPAN, ACKNOWLEDGE_SPAN = range(1, 8)
# Counted over a jurisdiction (regions), the others over a subtree of units.
BY_REGION = (RECEIVED, ACCEPTED, REPEATED)
BY_UNIT = (TRANSFERRED, CONCLUDED)
# Counted once per clue over a period.
DISTINCT = (ACCEPTED, REPEATED, TRANSFERRED)
SPANS = (CONCLUDE_SPAN, ACKNOWLEDGE_SPAN)
# prev_day of an event that is the clue's first of its kind under a node.
NEVER = date(1, 1, 1)
ALL_CATEGORIES, ALL_CHANNELS = 0, ""
# Only in StatisticsPending: a report's row of its own category and channel, counted as
# RECEIVED under them and under all categories and all channels (rolled_up).
RECEIVED_OWN = 8
HOUR = 3_600_000_000  # microseconds


def bucket(micros):
    """The bucket a span is summed in: b for b*b <= hours < (b+1)*(b+1), -1 below zero. Few
    buckets (about 50 for a span of three months), each narrow where spans are many."""
    return -1 if micros < 0 else math.isqrt(micros // HOUR)


def bucket_span(number):
    """[lowest, highest) microseconds of a bucket."""
    if number < 0:
        return -(2**62), 0
    return number * number * HOUR, (number + 1) * (number + 1) * HOUR


Action = LedgerEntry.Action
# Entries written after a change that can move a figure: an acceptance, a repeat report, a
# transfer (and its off-site area), an acknowledgement, a conclusion standing, a look-back
# (which clears the off-site area). A report's own facts are written by the service that
# stores it, at the end of its transaction (first_facts).
FIGURE_ACTIONS = frozenset(
    {
        Action.ACCEPTED,
        Action.REPORTED_AGAIN,
        Action.TRANSFERRED,
        Action.ACKNOWLEDGED,
        Action.CONCLUDED,
        Action.REOPENED,
    }
)
FACT_FIELDS = (
    "clue_id",
    "kind",
    "day",
    "path",
    "excluded",
    "category_id",
    "channel",
    "flag",
    "micros",
)
DAY_KEY = ("kind", "node", "category_id", "channel", "bucket", "day", "prev_day")


def _day(moment):
    return timezone.localdate(moment)


def _micros(span):
    return (span.days * 86400 + span.seconds) * 1_000_000 + span.microseconds


def _prefixes(path, step):
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _load(clue_ids):
    """{clue id: facts as tuples of FACT_FIELDS}, in four queries."""
    clues = list(
        Clue.objects.filter(pk__in=clue_ids).values_list(
            "pk", "created_at", "category_id", "channel", "region__path", "off_site_local"
        )
    )
    logged = defaultdict(list)
    for clue_id, action, at in LedgerEntry.objects.filter(
        clue_id__in=clue_ids, action__in=[Action.ACCEPTED, Action.REPORTED_AGAIN]
    ).values_list("clue_id", "action", "at"):
        logged[clue_id].append((ACCEPTED if action == Action.ACCEPTED else REPEATED, at))
    transfers = defaultdict(list)
    for row in Transfer.objects.filter(clue_id__in=clue_ids).values_list(
        "clue_id", "created_at", "acknowledged_at", "to_unit_id", "to_unit__path"
    ):
        transfers[row[0]].append(row[1:])
    stood = defaultdict(list)
    for row in Conclusion.objects.filter(clue_id__in=clue_ids, stood_at__isnull=False).values_list(
        "clue_id", "stood_at", "unit_id", "unit__path", "outcome"
    ):
        stood[row[0]].append(row[1:])
    return {
        clue[0]: derive(clue, logged[clue[0]], transfers[clue[0]], stood[clue[0]])
        for clue in clues
    }


def derive(clue, logged, transfers, stood):
    """The facts of one clue, sorted: `clue` (id, created_at, category id, channel, region
    path, off-site area), `logged` [(ACCEPTED or REPEATED, at)], `transfers` [(created_at,
    acknowledged_at, unit id, unit path)], `stood` [(stood_at, unit id, unit path, outcome)].
    The same definitions as the live counting of reporting/statistics.py."""
    pk, created, category, channel, region, excluded = clue
    region = region or ""
    on_time = settings.CLUE_ACKNOWLEDGE_DAYS
    facts = [(pk, RECEIVED, _day(created), region, excluded, category, channel, False, None)]
    for kind, at in logged:
        facts.append((pk, kind, _day(at), region, excluded, category, channel, False, None))
    for sent, acknowledged, _unit, path in transfers:
        span = None if acknowledged is None else _micros(acknowledged - sent)
        prompt = span is not None and (acknowledged - sent).total_seconds() <= on_time * 86400
        facts.append((pk, TRANSFERRED, _day(sent), path, "", category, channel, prompt, span))
    for stood_at, unit, path, outcome in stood:
        case = outcome == Conclusion.Outcome.CRIMINAL_CASE
        facts.append((pk, CONCLUDED, _day(stood_at), path, "", category, channel, case, None))
        # From each transfer to the concluding unit before it stood (as the live median).
        for sent, _acknowledged, to_unit, _path in transfers:
            if to_unit == unit and sent <= stood_at:
                span = _micros(stood_at - sent)
                facts.append(
                    (pk, CONCLUDE_SPAN, _day(stood_at), path, "", category, channel, False, span)
                )
    return sorted(facts, key=_order)


def _order(fact):
    return (*fact[1:8], -1 if fact[8] is None else fact[8])


def _nodes(kind, path, excluded):
    if kind in BY_REGION:
        nodes = _prefixes(path, Region.steplen)
        if excluded:
            nodes = [node for node in nodes if not node.startswith(excluded)]
        return ["", *nodes]
    return _prefixes(path, Unit.steplen)


def expand(facts):
    """Counter {StatisticsDay key: (n, flagged)} of one clue's facts (sorted as derive()
    sorts them: by kind, then day)."""
    sums = Counter()
    flagged = Counter()
    last = {}
    for _pk, kind, day, path, excluded, category, channel, flag, micros in facts:
        if kind in SPANS or (kind == TRANSFERRED and micros is not None):
            span_kind = kind if kind in SPANS else ACKNOWLEDGE_SPAN
            for node in _prefixes(path, Unit.steplen):
                for each in (ALL_CATEGORIES, category):
                    key = (span_kind, node, each, ALL_CHANNELS, bucket(micros), day, NEVER)
                    sums[key] += 1
            if kind in SPANS:
                continue
        for node in _nodes(kind, path, excluded):
            prev = NEVER
            if kind in DISTINCT:
                prev = last.get((kind, node), NEVER)
                last[(kind, node)] = day
            for each, way in (
                (ALL_CATEGORIES, ALL_CHANNELS),
                (category, ALL_CHANNELS),
                (ALL_CATEGORIES, channel),
                (category, channel),
            ):
                key = (kind, node, each, way, 0, day, prev)
                sums[key] += 1
                flagged[key] += flag
    return {key: (n, flagged[key]) for key, n in sums.items()}


def _difference(old, new):
    keys = set(old) | set(new)
    out = {}
    for key in keys:
        before, after = old.get(key, (0, 0)), new.get(key, (0, 0))
        delta = (after[0] - before[0], after[1] - before[1])
        if delta != (0, 0):
            out[key] = delta
    return out


def _add(deltas):
    """Add to the daily sums, in one statement of many rows; in the keys' order, so two
    transactions adding to the same rows wait for each other instead of deadlocking."""
    if not deltas:
        return
    table = connection.ops.quote_name(StatisticsDay._meta.db_table)
    columns = ", ".join(DAY_KEY)
    statement = (
        f"INSERT INTO {table} ({columns}, n, flagged) "  # nosec B608 # noqa: S608 (the model's own table and columns)
        f"VALUES ({', '.join(['%s'] * (len(DAY_KEY) + 2))}) "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n, "
        f"flagged = {table}.flagged + excluded.flagged"
    )
    rows = [(*key, n, flagged) for key, (n, flagged) in sorted(deltas.items())]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _stored(clue_ids):
    stored = defaultdict(list)
    for fact in StatisticsFact.objects.filter(clue_id__in=clue_ids).values_list(*FACT_FIELDS):
        stored[fact[0]].append(fact)
    return {pk: sorted(facts, key=_order) for pk, facts in stored.items()}


def _delete_facts(clue_ids):
    # One statement: the ORM's delete() reads the rows first, for signal receivers that
    # facts do not have.
    table = connection.ops.quote_name(StatisticsFact._meta.db_table)
    marks = ", ".join(["%s"] * len(clue_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE clue_id IN ({marks})", clue_ids)  # nosec B608 # noqa: S608 (the model's own table)


def refresh(clue_ids):
    """Derive these clues' facts again and correct the sums by what changed, in the caller's
    transaction (a fixed number of queries, however many clues)."""
    clue_ids = sorted(set(clue_ids))
    if not clue_ids:
        return
    with transaction.atomic(savepoint=False):
        derived = _load(clue_ids)
        stored = _stored(clue_ids)
        changed = [pk for pk in clue_ids if derived.get(pk, []) != stored.get(pk, [])]
        if not changed:
            return
        deltas = Counter()
        flagged = Counter()
        for pk in changed:
            for key, (n, f) in _difference(
                expand(stored.get(pk, [])), expand(derived.get(pk, []))
            ).items():
                deltas[key] += n
                flagged[key] += f
        _delete_facts(changed)
        StatisticsFact.objects.bulk_create(
            StatisticsFact(**dict(zip(FACT_FIELDS, fact, strict=True)))
            for pk in changed
            for fact in derived.get(pk, [])
        )
        _add({key: (deltas[key], flagged[key]) for key in deltas})


def after_ledger(entries):
    """Called by the ledger for the entries it has just written."""
    clue_ids = {entry.clue_id for entry in entries if entry.action in FIGURE_ACTIONS}
    if clue_ids:
        refresh(clue_ids)


def first_facts(clue):
    """The facts of a clue just reported, from the clue in hand, in the transaction that
    stores it: nothing is read back, since a new clue has no acceptance, transfer,
    conclusion or stored fact yet (the report form waits on this). Its sums are inserted as
    pending rows (StatisticsPending), never added to the day's shared rows here: two
    inserts, and no lock another report waits for. Only the rows of its own category and
    channel are written, one per node: see RECEIVED_OWN and rolled_up."""
    region = clue.region.path if clue.region_id else ""
    row = (clue.pk, clue.created_at, clue.category_id, clue.channel, region, clue.off_site_local)
    facts = derive(row, [], [], [])
    with transaction.atomic(savepoint=False):
        StatisticsFact.objects.bulk_create(
            StatisticsFact(**dict(zip(FACT_FIELDS, fact, strict=True))) for fact in facts
        )
        StatisticsPending.objects.bulk_create(
            StatisticsPending(
                **dict(zip(DAY_KEY, (RECEIVED_OWN, *key[1:]), strict=True)),
                n=n,
                flagged=flagged,
            )
            for key, (n, flagged) in sorted(expand(facts).items())
            if key[2] != ALL_CATEGORIES and key[3] != ALL_CHANNELS
        )


def rolled_up(key):
    """The StatisticsDay keys a pending row of `key` adds to. A report writes its row of its
    own category and channel under each node (RECEIVED_OWN), not those of all categories or
    all channels: they are the same counts again, so they are added where the rows are read
    and folded (a quarter of the rows a report writes). A row of another kind, as an earlier
    release wrote every row, adds to its own key. The kind of its own keeps an earlier
    release's fold, during an upgrade, from adding the rows as they stand: it puts them
    under a kind no page reads, and the next fold moves them (fold_pending)."""
    kind, node, category, channel, *rest = key
    if kind != RECEIVED_OWN:
        return [key]
    return [
        (RECEIVED, node, each, way, *rest)
        for each in (category, ALL_CATEGORIES)
        for way in (channel, ALL_CHANNELS)
    ]


def _date(value):
    # SQLite returns a date column read by a raw statement as its text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def fold_pending():
    """Add the pending rows to the daily sums and delete them, in one transaction; returns
    how many were folded. The rows are deleted first, and only those: a report committing
    meanwhile leaves its rows for the next fold, and of two folds at once the second finds
    the first's rows gone. Rows an earlier release's fold put in the daily sums as they
    stood (RECEIVED_OWN) are moved to their keys too."""
    returning = f"RETURNING {', '.join(DAY_KEY)}, n, flagged"
    pending = connection.ops.quote_name(StatisticsPending._meta.db_table)
    day = connection.ops.quote_name(StatisticsDay._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {pending} {returning}")  # nosec B608 # noqa: S608 (the models' own tables and columns)
            rows = cursor.fetchall()
            cursor.execute(f"DELETE FROM {day} WHERE kind = %s {returning}", [RECEIVED_OWN])  # nosec B608 # noqa: S608
            rows += cursor.fetchall()
        sums, flagged = Counter(), Counter()
        for *stored, n, f in rows:
            for key in rolled_up((*stored[:5], _date(stored[5]), _date(stored[6]))):
                sums[key] += n
                flagged[key] += f
        _add({key: (sums[key], flagged[key]) for key in sums})
    return len(rows)


def _copy(model, columns, rows):
    """Write many rows into an empty table: COPY on PostgreSQL, batched inserts elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=2000
    )


def rebuild(batch=20_000, stdout=None, pending_table=True):
    """Every clue's facts derived again, and the sums from them: the tables emptied and
    filled in one transaction, so running it again gives the same rows. Returns (facts,
    daily rows). pending_table=False: the migration that backfills the facts runs before
    StatisticsPending exists."""
    facts_written = 0
    sums = Counter()
    flagged = Counter()
    with transaction.atomic():
        StatisticsFact.objects.all().delete()
        StatisticsDay.objects.all().delete()
        if pending_table:
            # Derived again below with everything else.
            StatisticsPending.objects.all().delete()
        ids = Clue.objects.order_by("pk").values_list("pk", flat=True)
        last = 0
        while True:
            chunk = list(ids.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            last = chunk[-1]
            derived = _load(chunk)
            facts = [fact for pk in chunk for fact in derived.get(pk, [])]
            _copy(StatisticsFact, FACT_FIELDS, facts)
            facts_written += len(facts)
            for pk in chunk:
                for key, (n, f) in expand(derived.get(pk, [])).items():
                    sums[key] += n
                    flagged[key] += f
            if stdout is not None:
                stdout.write(f"  clues up to {last}: {facts_written} facts")
        _copy(
            StatisticsDay,
            (*DAY_KEY, "n", "flagged"),
            ((*key, n, flagged[key]) for key, n in sorted(sums.items())),
        )
    return facts_written, len(sums)


def whole_days(start, end):
    """(first day, day after the last) when start and end are midnights of the portal's
    time zone (what the page asks for); None otherwise (counted live)."""
    zone = timezone.get_current_timezone()
    days = []
    for moment in (start, end):
        local = timezone.localtime(moment, zone)
        if local.time() != datetime.min.time():
            return None
        days.append(local.date())
    return tuple(days)
