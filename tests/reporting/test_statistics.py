"""Supervision figures against a hand-counted set of clues: a clue transferred twice, a
reopened clue, a clue in another province's subtree, and a rejected one."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

import pytest

from reporting import statistics
from reporting.factories import ClueFactory, clue_at
from reporting.lifecycle import review as workflow
from reporting.models import Clue, Transfer, Unit

pytestmark = pytest.mark.django_db
Mode, S = Transfer.Mode, Clue.Status


def unit(code):
    return Unit.objects.get(code=code)


@pytest.fixture
def scene(staff, superuser):
    intake = staff["intake-hebei"]
    soon = timezone.now() + timedelta(days=30)
    # c1: the whole loop in Tangshan, a criminal case; then closed and reopened.
    c1 = clue_at(S.CLOSED, review={"feedback": "已立案"})
    workflow.reopen(c1, intake, reason="群众再次反映")
    # c2: transferred to Tangshan, then upgraded to Hebei: one clue, two transfers.
    c2 = clue_at(S.TRANSFERRED, to_unit=unit("r130200"))
    workflow.transfer(
        c2, staff["supervisor-hebei"], to_unit=unit("r130000"), mode=Mode.UPGRADE, deadline=soon
    )
    Clue.objects.filter(pk=c2.pk).update(overdue_since=timezone.now())
    # c3: only received. c4: not accepted.
    ClueFactory()
    clue_at(S.NOT_ACCEPTED, review={"reason": "out_of_scope"})
    # c5: Guangdong, handled by the national office: outside Hebei's subtree.
    clue_at(S.TRANSFERRED, region="440106", to_unit=unit("r440000"), review={"intake": superuser})
    return {"c1": c1, "c2": c2}


def today():
    now = timezone.now()
    return now - timedelta(days=1), now + timedelta(days=1)


def test_the_province_sees_its_subtree(scene):
    figures = statistics.figures(unit("r130000"), *today())
    assert figures.received == 4
    assert figures.accepted == 2
    assert figures.transferred == 2  # c2 was transferred twice
    assert figures.transfers == 3
    assert figures.acknowledged_on_time == 1
    assert figures.concluded == 1 and figures.cases == 1
    assert figures.verification_rate == 0.5
    assert figures.case_rate == 1.0
    assert figures.overdue_now == 1
    assert figures.median_days_to_acknowledge == 0.0


def test_the_city_sees_only_what_reached_it(scene):
    figures = statistics.figures(unit("r130200"), *today())
    assert figures.received == 4
    assert figures.transferred == 2
    assert figures.transfers == 2  # the upgrade went to the province, above the city
    assert figures.concluded == 1
    assert figures.overdue_now == 0  # c2 is now held by the province


def test_another_province_and_the_nation(scene):
    guangdong = statistics.figures(unit("r440000"), *today())
    assert (guangdong.received, guangdong.transferred, guangdong.concluded) == (1, 1, 0)
    national = statistics.figures(unit("national"), *today())
    assert national.received == 5
    assert national.transferred == 3


def test_a_period_without_activity_is_empty(scene):
    start = timezone.now() - timedelta(days=60)
    figures = statistics.figures(unit("r130000"), start, start + timedelta(days=30))
    assert figures.received == figures.transferred == figures.concluded == 0
    assert figures.verification_rate is None and figures.case_rate is None
    assert figures.median_days_to_acknowledge is None
    # Overdue is "now", whatever the period.
    assert figures.overdue_now == 1


def test_a_category_narrows_every_figure(scene):
    from reporting.models import Category

    other = Category.objects.get(slug="routine-loans")
    figures = statistics.figures(unit("r130000"), *today(), category=other)
    assert figures.received == figures.transferred == figures.overdue_now == 0


def test_a_supervisor_reads_the_figures_of_their_subtree(scene, staff, client):
    client.force_login(staff["supervisor-hebei"])
    tangshan = unit("r130200")
    response = client.get("/admin/reporting/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "核查率" in html and "<svg" in html
    assert tangshan.name in html  # the breakdown by unit below
    chosen = client.get("/admin/reporting/statistics/", {"unit": tangshan.pk})
    assert chosen.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"unit": "r440000"},  # another province's subtree
        {"start": "2026-13-40"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"unit": "abc"},
    ],
)
def test_bad_or_foreign_choices_are_refused(scene, staff, client, query):
    client.force_login(staff["supervisor-hebei"])
    if query.get("unit") == "r440000":
        query = {"unit": unit("r440000").pk}
    response = client.get("/admin/reporting/statistics/", query)
    assert response.status_code == 400
    assert "本期" not in response.content.decode()  # no figures for a refused choice


def test_staff_who_supervise_nothing_have_no_statistics(scene, staff, client):
    client.force_login(staff["verifier-tangshan"])
    assert client.get("/admin/reporting/statistics/").status_code in (302, 403)


def test_a_supervisor_reads_and_exports_the_ledger_of_their_subtree(scene, staff, client):
    client.force_login(staff["supervisor-hebei"])
    listing = client.get("/admin/reporting/ledger/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert scene["c1"].tracking_number in html
    guangdong = Clue.objects.get(region__code="440106")
    assert guangdong.tracking_number not in html
    export = client.get("/admin/reporting/ledger/?export=csv&action=transferred")
    content = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = [line for line in content.splitlines() if line]
    assert "跟踪编号" in rows[0]
    assert len(rows) == 1 + 3  # the three transfers into the Hebei subtree
    assert guangdong.tracking_number not in content


def test_staff_who_supervise_nothing_cannot_open_the_ledger(scene, staff, client):
    client.force_login(staff["verifier-tangshan"])
    assert client.get("/admin/reporting/ledger/").status_code in (302, 403)


COUNTS = statistics.COUNTS


def counts(figures):
    return {name: getattr(figures, name) for name in COUNTS}


def test_the_breakdown_by_unit_below_agrees_with_each_unit_alone(scene):
    for parent in ("national", "r130000"):
        rows = statistics.by_child_unit(unit(parent), *today())
        assert rows, parent
        for child, figures in rows:
            assert counts(figures) == counts(statistics.figures(child, *today())), child.code
    hebei = {
        child.code: figures
        for child, figures in statistics.by_child_unit(unit("national"), *today())
    }["r130000"]
    assert (hebei.received, hebei.transferred, hebei.transfers, hebei.overdue_now) == (4, 2, 3, 1)


def test_the_breakdown_by_category_adds_up(scene):
    from reporting.models import Category

    rows = statistics.by_category(unit("r130000"), *today())
    assert [category for category, _ in rows] == list(Category.objects.order_by("sort_order"))
    for category, figures in rows:
        alone = statistics.figures(unit("r130000"), *today(), category=category)
        assert counts(figures) == counts(alone), category.slug
    whole = statistics.figures(unit("r130000"), *today())
    assert sum(figures.received for _, figures in rows) == whole.received
    assert sum(figures.transfers for _, figures in rows) == whole.transfers


def test_a_breakdown_costs_the_same_queries_whatever_its_rows(scene, django_assert_num_queries):
    national = Unit.objects.get(code="national")
    tangshan = Unit.objects.select_related("region").get(code="r130200")
    assert national.get_children().count() > 30 and tangshan.get_children().count() < 5
    # The rows, then five: received, ledger-based, transfers, conclusions, overdue; on
    # PostgreSQL one more turns its JIT compiler off.
    queries = 6 + (connection.vendor == "postgresql")
    for parent in (national, tangshan):
        with django_assert_num_queries(queries):
            statistics.by_child_unit(parent, *today())


def test_the_page_overview_agrees_with_each_figure_alone(scene, django_assert_max_num_queries):
    start, end = today()
    before = statistics.previous_period(start, end)
    for code in ("national", "r130000", "r130200"):
        parent = unit(code)
        # Whatever the number of rows: 20, and 2 for the figures the rewards app registers.
        with django_assert_max_num_queries(22):
            page = statistics.overview(parent, start, end)
        assert page.current == statistics.figures(parent, start, end)
        assert page.previous == statistics.figures(parent, *before)
        assert page.children == statistics.by_child_unit(parent, start, end)
        assert page.categories == statistics.by_category(parent, start, end)


def test_the_breakdown_by_channel_adds_up(scene, staff, client):
    ClueFactory(entry_code="TSMKT2")
    hotline = ClueFactory(channel=Clue.Channel.HOTLINE)
    workflow.accept(hotline, staff["intake-hebei"])
    start, end = today()
    page = statistics.overview(unit("r130000"), start, end)
    assert [channel for channel, _ in page.channels] == list(Clue.Channel)
    rows = dict(page.channels)
    assert rows[Clue.Channel.POSTER].received == 1
    assert (rows[Clue.Channel.HOTLINE].received, rows[Clue.Channel.HOTLINE].accepted) == (1, 1)
    assert rows[Clue.Channel.LETTER].received == 0
    assert rows[Clue.Channel.WEB].received == page.current.received - 2
    assert sum(figures.received for figures in rows.values()) == page.current.received
    assert sum(figures.transfers for figures in rows.values()) == page.current.transfers
    client.force_login(staff["supervisor-hebei"])
    html = client.get("/admin/reporting/statistics/", {"live": 1}).content.decode()
    section = html[html.index('id="by-channel"') :]
    assert str(Clue.Channel.HOTLINE.label) in section
