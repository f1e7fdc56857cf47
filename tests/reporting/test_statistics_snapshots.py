"""The supervisors' stored statistics: the same figures as counting live, shown only while
fresh and only for the exact unit and period, recounted by the worker when due, and a page
that reads them with a handful of queries whatever the number of rows."""

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.users.models import UserProfile

import pytest

from reporting import statistics
from reporting.jobs import statistics_snapshots as snapshots
from reporting.jobs.statistics_snapshots import refresh_statistics_snapshots
from reporting.models import StatisticsSnapshot, Unit

from .test_statistics import scene  # noqa: F401

# Every test runs over the hand-made scene of the live statistics tests.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scene")]
URL = "/admin/reporting/statistics/"
COUNTED_TABLES = ("reporting_clue", "reporting_transfer", "reporting_conclusion", "ledgerentry")


def unit(code):
    return Unit.objects.get(code=code)


def periods(today=None):
    today = today or timezone.localdate()
    return {name: snapshots.preset_dates(name, today) for name in snapshots.PRESETS}


def test_the_standard_periods_are_whole_calendar_periods():
    found = periods(date(2026, 3, 15))
    assert found == {
        "month": (date(2026, 3, 1), date(2026, 3, 15)),
        "last-month": (date(2026, 2, 1), date(2026, 2, 28)),
        "year": (date(2026, 1, 1), date(2026, 3, 15)),
        "last-year": (date(2025, 1, 1), date(2025, 12, 31)),
    }
    assert periods(date(2026, 1, 1))["last-month"] == (date(2025, 12, 1), date(2025, 12, 31))


def test_snapshots_are_kept_for_supervised_units_and_the_root(staff):
    snapshots.refresh(force=True)
    kept = set(StatisticsSnapshot.objects.values_list("unit__code", flat=True))
    # The demo has supervisors in Hebei and Tangshan; the root is what administrators see.
    assert {"national", "r130000", "r130200"} <= kept
    assert "r440000" not in kept  # nobody supervises Guangdong
    assert StatisticsSnapshot.objects.count() == len(kept) * len(set(periods().values()))


def test_a_snapshot_holds_the_figures_counted_live():
    snapshots.refresh(force=True)
    for code in ("national", "r130000", "r130200"):
        for start, end in periods().values():
            kept, counted_at = snapshots.stored(unit(code), start, end)
            live = statistics.overview(unit(code), *snapshots.bounds(start, end))
            assert kept == live, (code, start, end)
            assert counted_at > timezone.now() - timedelta(minutes=1)
    # The scene happened today: this month's figures are not empty.
    month = snapshots.stored(unit("r130000"), *periods()["month"])[0]
    assert (month.current.received, month.current.transferred) == (4, 2)


def test_a_stale_snapshot_is_not_used():
    snapshots.refresh(force=True)
    start, end = periods()["month"]
    hebei = unit("r130000")
    assert snapshots.stored(hebei, start, end) is not None
    too_old = timezone.now() - timedelta(minutes=2 * snapshots.refresh_minutes() + 1)
    StatisticsSnapshot.objects.filter(unit=hebei).update(computed_at=too_old)
    assert snapshots.stored(hebei, start, end) is None


def test_a_snapshot_of_other_rows_than_today_s_is_not_used():
    from reporting.models import Category

    snapshots.refresh(force=True)
    Category.objects.create(slug="new-kind", name="新类别", name_en="New kind", sort_order=99)
    assert snapshots.stored(unit("r130000"), *periods()["month"]) is None


def test_a_snapshot_stored_before_the_breakdown_by_channel_is_not_used():
    snapshots.refresh(force=True)
    hebei = unit("r130000")
    for snapshot in StatisticsSnapshot.objects.filter(unit=hebei):
        figures = {**snapshot.figures, "format": 1}
        del figures["channels"]
        StatisticsSnapshot.objects.filter(pk=snapshot.pk).update(figures=figures)
    assert snapshots.stored(hebei, *periods()["month"]) is None


def test_refresh_recounts_only_what_is_due(settings):
    counted, left = snapshots.refresh()
    assert counted == StatisticsSnapshot.objects.count() and left == 0
    assert snapshots.refresh() == (0, 0)  # all fresh
    hebei = unit("r130000")
    due = timezone.now() - timedelta(minutes=settings.STATISTICS_SNAPSHOT_MINUTES)
    StatisticsSnapshot.objects.filter(unit=hebei).update(computed_at=due)
    assert snapshots.refresh() == (len(set(periods().values())), 0)
    assert not StatisticsSnapshot.objects.filter(computed_at__lte=due).exists()


def test_a_run_stops_after_its_time_and_says_what_is_left():
    counted, left = snapshots.refresh(seconds=0)
    assert counted == 1 and left == len(snapshots.wanted(timezone.localdate())) - 1


def test_snapshots_of_past_periods_are_deleted():
    snapshots.refresh(force=True)
    old = StatisticsSnapshot.objects.first()
    old.pk, old.start, old.end = None, date(2020, 1, 1), date(2020, 1, 31)
    old.save()
    snapshots.refresh()
    assert not StatisticsSnapshot.objects.filter(start=date(2020, 1, 1)).exists()


# The worker closes a connection left inside a transaction, as a test's would be.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_recounts_stale_snapshots_only():
    snapshots.refresh(force=True)
    before = dict(StatisticsSnapshot.objects.values_list("pk", "computed_at"))
    hebei = unit("r130000")
    stale = timezone.now() - timedelta(hours=1)
    StatisticsSnapshot.objects.filter(unit=hebei).update(computed_at=stale)
    refresh_statistics_snapshots.enqueue()
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())
    after = dict(StatisticsSnapshot.objects.values_list("pk", "computed_at"))
    assert set(after) == set(before)
    for snapshot in StatisticsSnapshot.objects.select_related("unit"):
        if snapshot.unit == hebei:
            assert snapshot.computed_at > stale + timedelta(minutes=30)
        else:
            assert snapshot.computed_at == before[snapshot.pk]


def test_the_periodic_checks_queue_the_refresh():
    from django_tasks_db.models import DBTaskResult

    from portal.management.commands import run_worker

    run_worker.queue_periodic_checks()
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "reporting.jobs.statistics_snapshots.refresh_statistics_snapshots" in paths


# --- the page -------------------------------------------------------------------------------


def as_user(client, user, language=None):
    if language:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    client.force_login(user)
    return client


def counted_live(queries):
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return any(table in sql for table in COUNTED_TABLES)


def test_the_page_shows_the_snapshot_and_says_when_it_was_counted(staff, client):
    snapshots.refresh(force=True)
    as_user(client, staff["supervisor-hebei"])
    client.get(URL)  # warm the admin's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert not counted_live(queries)
    html = response.content.decode()
    as_of = timezone.localtime(StatisticsSnapshot.objects.get(
        unit__code="r130000", start=periods()["month"][0], end=periods()["month"][1]
    ).computed_at).strftime("%H:%M")  # fmt: skip
    assert f"数据截至 {as_of}（每 15 分钟更新一次）" in html
    assert "唐山" in html and "核查率" in html
    assert "live=1" in html  # the way to count now
    english = as_user(client, staff["supervisor-hebei"], "en").get(URL).content.decode()
    assert f"Figures as of {as_of} (refreshed every 15 minutes)." in english
    assert "Count now" in english and "Tangshan" in english


def test_the_page_from_a_snapshot_costs_the_same_queries_whatever_its_rows(
    staff, client, superuser
):
    snapshots.refresh(force=True)
    counts = []
    for user, code in ((superuser, "national"), (superuser, "r130200")):
        as_user(client, user)
        query = {"unit": unit(code).pk, "preset": "year"}
        client.get(URL, query)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        assert "数据截至" in response.content.decode()
        assert not counted_live(queries)
        counts.append(len(queries))
    assert unit("national").get_children().count() > 30
    # Sign-in, menu and form: 12; the page's own: the snapshot, the units below, the categories.
    assert counts[0] == counts[1] <= 16


def test_count_now_counts_live(staff, client):
    snapshots.refresh(force=True)
    as_user(client, staff["supervisor-hebei"])
    start, end = periods()["month"]
    query = {"unit": unit("r130000").pk, "start": start, "end": end, "live": 1}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    assert response.status_code == 200
    assert counted_live(queries)
    html = response.content.decode()
    assert "数据截至" not in html and "刚刚统计" in html


@pytest.mark.parametrize("change", ["stale", "category", "other dates", "no snapshot"])
def test_anything_but_a_fresh_snapshot_of_the_exact_request_is_counted_live(staff, client, change):
    if change != "no snapshot":
        snapshots.refresh(force=True)
    start, end = periods()["month"]
    query = {"unit": unit("r130000").pk, "start": start, "end": end}
    if change == "stale":
        StatisticsSnapshot.objects.update(computed_at=timezone.now() - timedelta(days=1))
    elif change == "category":
        from reporting.models import Category

        query["category"] = Category.objects.get(slug="gang-crime").pk
    elif change == "other dates":
        query["start"] = start - timedelta(days=1)
    as_user(client, staff["supervisor-hebei"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    assert response.status_code == 200
    assert counted_live(queries)
    assert "数据截至" not in response.content.decode()


def test_a_preset_link_sets_its_dates(staff, client):
    snapshots.refresh(force=True)
    as_user(client, staff["supervisor-hebei"])
    start, end = periods()["last-year"]
    response = client.get(URL, {"unit": unit("r130200").pk, "preset": "last-year"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html
    assert "数据截至" in html
    assert 'aria-current="true">上年<' in html
    assert "preset=month" in html  # the other periods are offered


def test_a_snapshot_never_shows_a_unit_the_person_does_not_supervise(staff, client):
    snapshots.refresh(force=True)  # the national office's snapshots exist
    as_user(client, staff["supervisor-tangshan"])
    for code in ("national", "r130000", "r440000"):
        response = client.get(URL, {"unit": unit(code).pk, "preset": "month"})
        assert response.status_code == 400, code
        html = response.content.decode()
        assert "数据截至" not in html and "本期" not in html
    # Their own page: Tangshan, not the province above it.
    html = client.get(URL).content.decode()
    assert "数据截至" in html and "河北省" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "decade"},
        {"preset": "../../etc"},
        {"start": "2026-02-30"},
        {"end": "yesterday"},
        {"unit": "999999"},
        {"unit": "abc"},
        {"category": "999999"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"live": "1", "start": "2026-13-01"},
    ],
)
def test_bad_parameters_are_a_clear_refusal(staff, client, query):
    snapshots.refresh(force=True)
    as_user(client, staff["supervisor-hebei"])
    response = client.get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html or "error" in html
    assert "本期" not in html
