"""The kept statistics (reporting/statistics_facts.py) against the live counting they
replace on the page: every figure, every breakdown, over histories with the awkward cases
(a clue transferred twice and back, off-site verification, a look-back, repeat reports,
events a second either side of midnight in the portal's time zone, erased content, a unit
added afterwards), on SQLite and on PostgreSQL alike."""

import itertools
import random
from datetime import date, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import pytest
from freezegun import freeze_time

from reporting import statistics
from reporting import statistics_facts as facts
from reporting.factories import ClueFactory, advance
from reporting.jobs import retention
from reporting.jobs.statistics_snapshots import bounds
from reporting.lifecycle import review as workflow
from reporting.lifecycle.ledger import record
from reporting.models import (
    Category,
    Clue,
    LedgerEntry,
    Region,
    StatisticsDay,
    StatisticsFact,
    StatisticsPending,
    Transfer,
    Unit,
)

pytestmark = pytest.mark.django_db
Mode, S = Transfer.Mode, Clue.Status
UNITS = ("national", "r130000", "r130200", "r440000")


def unit(code):
    return Unit.objects.select_related("region").get(code=code)


def local(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def sums():
    """The daily sums as they stand, pending reports added, rows summing to nothing left
    out."""
    total = {}
    for model, keys in ((StatisticsDay, lambda key: (key,)), (StatisticsPending, facts.rolled_up)):
        for *row, n, flagged in model.objects.values_list(*facts.DAY_KEY, "n", "flagged"):
            for key in keys(tuple(row)):
                before = total.get(key, (0, 0))
                total[key] = (before[0] + n, before[1] + flagged)
    return {key: value for key, value in total.items() if value != (0, 0)}


def assert_kept_equals_live(periods, categories=(None,)):
    checked = 0
    for code in UNITS:
        parent = unit(code)
        for first, last in periods:
            start, end = bounds(first, last)
            for category in categories:
                kept = statistics.overview(parent, start, end, category)
                live = statistics.overview(parent, start, end, category, live=True)
                assert kept == live, (code, first, last, category)
                checked += kept.current.received + kept.current.transfers
    # Not a comparison of empty pages.
    assert checked > 0


def assert_rebuild_gives_the_same_sums():
    kept = sums()
    facts_before = sorted(StatisticsFact.objects.values_list(*facts.FACT_FIELDS))
    call_command("rebuild_statistics_facts", verbosity=0)
    assert sums() == kept
    assert sorted(StatisticsFact.objects.values_list(*facts.FACT_FIELDS)) == facts_before


@pytest.fixture
def history(staff, superuser):
    """Clues moved through the review at chosen moments of March and April 2026."""
    intake, hebei = staff["intake-hebei"], staff["supervisor-hebei"]
    tangshan, province = unit("r130200"), unit("r130000")
    deadline = local(2026, 6, 1)
    with freeze_time(local(2026, 3, 31, 23, 59, 59)) as clock:
        # A second before midnight, and on the stroke of it.
        late = ClueFactory()
        clock.move_to(local(2026, 4, 1, 0, 0, 0))
        early = ClueFactory(category="routine-loans")
        workflow.accept(early, intake)
        # Transferred to Tangshan, up to Hebei, and back to Tangshan: one clue, three
        # transfers, two of them to the unit that concludes it.
        clock.move_to(local(2026, 3, 10, 9))
        twice = ClueFactory(status=S.TRANSFERRED, to_unit=tangshan)
        clock.move_to(local(2026, 3, 20, 9))
        workflow.transfer(twice, hebei, to_unit=province, mode=Mode.UPGRADE, deadline=deadline)
        clock.move_to(local(2026, 4, 2, 9))
        workflow.transfer(twice, hebei, to_unit=tangshan, mode=Mode.NORMAL, deadline=deadline)
        clock.move_to(local(2026, 4, 20, 9))
        advance(twice, S.CONCLUDED, to_unit=tangshan)
        # The whole loop, a look-back, a repeat report twice, in two months.
        clock.move_to(local(2026, 3, 5, 10))
        closed = ClueFactory(status=S.CLOSED, category="market-bullies")
        clock.move_to(local(2026, 3, 28, 10))
        record(closed, LedgerEntry.Action.REPORTED_AGAIN, note="repeat")
        clock.move_to(local(2026, 4, 3, 10))
        record(closed, LedgerEntry.Action.REPORTED_AGAIN, note="repeat")
        workflow.reopen(closed, intake, reason="群众再次反映")
        # Acknowledged late (after CLUE_ACKNOWLEDGE_DAYS), and a rejected clue.
        clock.move_to(local(2026, 3, 3, 8))
        slow = ClueFactory(status=S.TRANSFERRED, channel=Clue.Channel.HOTLINE, taken_by=intake)
        clock.move_to(local(2026, 3, 25, 8))
        advance(slow, S.ACKNOWLEDGED)
        ClueFactory(status=S.NOT_ACCEPTED)
        # Guangdong, sent off-site to Hebei: it leaves Guangdong's own jurisdiction.
        clock.move_to(local(2026, 4, 8, 8))
        away = ClueFactory(region="440106", status=S.SCREENED, review={"intake": superuser})
        workflow.transfer(away, superuser, to_unit=province, mode=Mode.OFF_SITE, deadline=deadline)
    return {"late": late, "early": early, "twice": twice, "closed": closed, "away": away}


MARCH, APRIL = (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30))
PERIODS = [
    MARCH,
    APRIL,
    (date(2026, 3, 1), date(2026, 4, 30)),
    (date(2026, 3, 31), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 4, 1)),
    (date(2026, 3, 21), date(2026, 4, 2)),
]


def test_the_kept_figures_are_the_live_ones(history):
    categories = (None, *Category.objects.filter(slug__in=["gang-crime", "routine-loans"]))
    assert_kept_equals_live(PERIODS, categories)
    assert_rebuild_gives_the_same_sums()


def test_reports_wait_as_pending_rows_until_the_worker_folds_them(history):
    """A report adds pending rows rather than to the day's shared ones; the figures read
    both, so they are the same before and after the fold, and a second fold finds nothing."""
    assert StatisticsPending.objects.filter(kind=facts.RECEIVED_OWN).exists()
    before = sums()
    assert_kept_equals_live(PERIODS)
    assert facts.fold_pending() > 0
    assert not StatisticsPending.objects.exists()
    assert sums() == before
    assert_kept_equals_live(PERIODS)
    assert facts.fold_pending() == 0
    assert_rebuild_gives_the_same_sums()


def pending_rows():
    return list(StatisticsPending.objects.values_list(*facts.DAY_KEY, "n", "flagged"))


def test_a_report_writes_the_rows_of_its_own_category_and_channel_alone(history):
    rows = pending_rows()
    assert rows
    assert {row[0] for row in rows} == {facts.RECEIVED_OWN}
    assert all(row[2] != facts.ALL_CATEGORIES and row[3] != facts.ALL_CHANNELS for row in rows)


def test_the_rows_of_an_earlier_release_count_once(history):
    """An earlier release wrote each report's rows of all categories and all channels too,
    as they are kept (RECEIVED): read and folded as they stand."""
    before = sums()
    earlier = [
        StatisticsPending(**dict(zip(facts.DAY_KEY, key, strict=True)), n=n, flagged=flagged)
        for *row, n, flagged in pending_rows()
        for key in facts.rolled_up(tuple(row))
    ]
    StatisticsPending.objects.all().delete()
    StatisticsPending.objects.bulk_create(earlier)
    assert sums() == before
    assert_kept_equals_live(PERIODS)
    facts.fold_pending()
    assert not StatisticsPending.objects.exists()
    assert sums() == before
    assert_kept_equals_live(PERIODS)


def test_a_fold_by_an_earlier_release_is_put_right_by_the_next(history):
    """During an upgrade a worker of the earlier release may fold the new rows: it adds them
    to the daily sums as they stand, under a kind no page reads. The next fold moves them."""
    before = sums()
    rows = pending_rows()
    StatisticsPending.objects.all().delete()
    facts._add({tuple(row): (n, flagged) for *row, n, flagged in rows})
    assert sums() != before
    assert facts.fold_pending() == len(rows)
    assert sums() == before
    assert_kept_equals_live(PERIODS)


def test_the_periodic_round_folds_the_pending_rows(history):
    out = StringIO()
    call_command("check_deadlines", stdout=out)
    assert not StatisticsPending.objects.exists()
    assert_kept_equals_live(PERIODS)


def test_midnight_in_the_portals_time_zone_divides_the_days(history):
    on_31, on_1 = (bounds(day, day) for day in (date(2026, 3, 31), date(2026, 4, 1)))
    national = unit("national")
    assert statistics.figures(national, *on_31).received == 1
    assert statistics.figures(national, *on_1).received == 1
    assert statistics.figures(national, *on_1).accepted == 1


def test_a_clue_sent_three_times_counts_once_per_subtree(history):
    national, hebei, tangshan = unit("national"), unit("r130000"), unit("r130200")
    both = bounds(date(2026, 3, 1), date(2026, 4, 30))
    # Tangshan: "twice" twice, "slow" and "closed" once each.
    assert (
        statistics.figures(tangshan, *both).transfers,
        statistics.figures(tangshan, *both).transferred,
    ) == (4, 3)
    whole = statistics.figures(national, *both)
    assert whole.transferred == statistics.figures(national, *both, live=True).transferred
    # April alone: the third transfer is the clue's first there.
    assert statistics.figures(hebei, *bounds(*APRIL)).transferred >= 1
    # Concluded from either transfer to Tangshan (as the live median counts them).
    assert statistics.figures(tangshan, *bounds(*APRIL)).median_days_to_conclude is not None


def test_a_repeat_report_twice_in_a_period_counts_once(history):
    both = bounds(date(2026, 3, 1), date(2026, 4, 30))
    national = unit("national")
    # "closed", reported again on 28 March and on 3 April.
    assert statistics.figures(national, *both).repeats == 1
    assert statistics.figures(national, *bounds(*MARCH)).repeats == 1
    assert statistics.figures(national, *bounds(*APRIL)).repeats == 1


def test_off_site_verification_leaves_the_local_jurisdiction(history):
    away = Clue.objects.get(pk=history["away"].pk)
    assert away.off_site_local and away.region.path.startswith(away.off_site_local)
    counted = {node for kind, node, *_rest in sums() if kind == facts.RECEIVED}
    assert away.region.path[: Region.steplen] in counted and "" in counted
    assert not any(node.startswith(away.off_site_local) for node in counted)


def test_erasing_a_clues_content_changes_no_figure(history, staff, settings):
    assert_kept_equals_live(PERIODS)
    before = sums()
    slow = Clue.objects.get(channel=Clue.Channel.HOTLINE)
    workflow.close(advance(slow, S.FEEDBACK), staff["intake-hebei"])
    after_close = sums()
    settings.CLUE_RETENTION_DAYS = 1
    with freeze_time(timezone.now() + timedelta(days=3)):
        retention.erase_due()
    assert Clue.objects.filter(content_erased_at__isnull=False).exists()
    assert sums() == after_close
    assert before != after_close  # closing concluded it today: counted
    assert_kept_equals_live(PERIODS)


def test_a_unit_added_afterwards_reads_its_region_at_once(history):
    hebei = unit("r130000")
    region = Region.objects.get(code="130203")
    hebei.add_child(
        code="test-lubei", name="路北区", name_en="Lubei", region=region, kind=hebei.kind
    )
    assert_kept_equals_live(PERIODS)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_histories_agree(staff, superuser, seed):
    rng = random.Random(seed)
    tangshan, hebei = unit("r130200"), unit("r130000")
    categories = list(Category.objects.order_by("pk"))[:3]
    channels = [None, Clue.Channel.HOTLINE, Clue.Channel.LETTER]
    statuses = [S.SUBMITTED, S.SCREENED, S.TRANSFERRED, S.ACKNOWLEDGED, S.CONCLUDED, S.CLOSED]
    start = local(2026, 1, 30, 12)
    with freeze_time(start) as clock:
        clues = []
        for _ in range(14):
            clock.move_to(start + timedelta(hours=rng.randrange(0, 24 * 40)))
            channel = rng.choice(channels)
            clue = ClueFactory(
                category=categories[rng.randrange(3)].slug,
                channel=channel,
                taken_by=staff["intake-hebei"] if channel else None,
            )
            clock.move_to(timezone.now() + timedelta(hours=rng.randrange(1, 24 * 12)))
            advance(clue, rng.choice(statuses), to_unit=rng.choice([tangshan, tangshan, hebei]))
            clues.append(clue)
        for clue in rng.sample(clues, 5):
            clue.refresh_from_db()
            clock.move_to(timezone.now() + timedelta(hours=rng.randrange(1, 24 * 9)))
            if clue.status in (S.TRANSFERRED, S.ACKNOWLEDGED):
                workflow.transfer(
                    clue,
                    superuser,
                    to_unit=Unit.objects.get(pk=clue.unit_id).get_parent(),
                    mode=Mode.UPGRADE,
                    deadline=timezone.now() + timedelta(days=30),
                )
            elif clue.status in Clue.CONCLUDED:
                record(clue, LedgerEntry.Action.REPORTED_AGAIN)
    months = [(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1)) for m in (1, 2, 3)]
    weeks = [(date(2026, 2, d), date(2026, 2, d + 6)) for d in (1, 8, 15)]
    assert_kept_equals_live([*months, *weeks, (date(2026, 1, 1), date(2026, 3, 31))])
    assert_rebuild_gives_the_same_sums()


def test_a_period_not_of_whole_days_is_counted_live(history, django_assert_num_queries):
    national = unit("national")
    start = local(2026, 3, 31, 12)
    assert facts.whole_days(start, start + timedelta(days=1)) is None
    assert statistics.figures(national, start, start + timedelta(days=1)) == statistics.figures(
        national, start, start + timedelta(days=1), live=True
    )


def test_the_kept_page_costs_a_bounded_number_of_queries(history, django_assert_max_num_queries):
    # The children and the categories; the sums (kept and pending) and "overdue now" of each
    # period; two per
    # median (buckets, then the middle bucket's facts; the second not for an empty period)
    # of each period; the figures other
    # apps register (rewards 2, fugitives 2); on PostgreSQL one more turns JIT off.
    queries = 2 + 6 + 8 + 4 + (connection.vendor == "postgresql")
    for parent in (unit("national"), unit("r130200")):
        with django_assert_max_num_queries(queries):
            statistics.overview(parent, *bounds(*APRIL))


def test_each_change_costs_a_fixed_number_of_queries(history, django_assert_num_queries):
    clues = [history[name].pk for name in ("twice", "closed", "away")]
    # Unchanged: four queries derive the facts, one reads the stored ones.
    with django_assert_num_queries(5):
        facts.refresh(clues)
    # Changed behind the services' back, then refreshed: the same five, then the facts
    # deleted and written again and the sums corrected, however many clues.
    Transfer.objects.filter(clue_id__in=clues).update(acknowledged_at=timezone.now())
    with django_assert_num_queries(8):
        facts.refresh(clues)
    assert_rebuild_gives_the_same_sums()
    assert_kept_equals_live(PERIODS)


def _specs(rng):
    """Groups as _kept_counts turns them into (by_region, by_unit, category, channel):
    the whole, units below (some outside the region), categories and channels, with a node
    string that both families use and repeats, drawn at random."""
    nodes = ["", "0001", "00010001", "00010002", "000100020001"]
    categories = [facts.ALL_CATEGORIES, 1, 2, 3]
    channels = [facts.ALL_CHANNELS, "web", "poster", "hotline"]
    region, unit = rng.choice(nodes), rng.choice(nodes)
    chosen = rng.choice(categories)
    specs = [(region, unit, chosen, facts.ALL_CHANNELS)]
    for _ in range(rng.randint(0, 6)):
        shape = rng.choice(("child", "category", "channel"))
        if shape == "child":
            specs.append(
                (rng.choice([*nodes, None]), rng.choice(nodes), chosen, facts.ALL_CHANNELS)
            )
        elif shape == "category":
            specs.append((region, unit, rng.choice(categories), facts.ALL_CHANNELS))
        else:
            specs.append((region, unit, chosen, rng.choice(channels)))
    return specs, nodes, categories, channels


def test_the_sums_query_reads_every_row_a_group_needs_once_and_no_other():
    rng = random.Random(2026)
    for _ in range(2000):
        specs, nodes, categories, channels = _specs(rng)
        parts = list(statistics._rectangles(specs))
        needed = {
            (kinds, node, each, way)
            for by_region, by_unit, each, way in specs
            for kinds, node in ((facts.BY_UNIT, by_unit), (facts.BY_REGION, by_region))
            if node is not None
        }
        every_row = itertools.product(
            (facts.BY_UNIT, facts.BY_REGION), nodes, categories, channels
        )
        for kinds, node, each, way in every_row:
            row = {"node": node, "category_id": each, "channel": way}
            reading = [
                part
                for part in parts
                if part["kind__in"] == kinds
                and all(
                    row[name.removesuffix("__in")] in value
                    if name.endswith("__in")
                    else row[name] == value
                    for name, value in part.items()
                    if name != "kind__in"
                )
            ]
            expected = 1 if (kinds, node, each, way) in needed else 0
            assert len(reading) == expected, (specs, kinds, row, reading)
