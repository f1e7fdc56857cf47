"""The public statistics page: hand-counted aggregates, the small-count suppression (with the
rows that would reveal a suppressed one), and a page that only reads the stored snapshot."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Locale

import pytest

from reporting.models import Region
from reporting.statistics import public_counts
from transparency import services
from transparency.models import Snapshot, StatisticsPage
from transparency.tasks import refresh_public_statistics

pytestmark = pytest.mark.django_db


def province(code):
    return Region.objects.get(code=code).path


def test_the_raw_counts_match_the_hand_count(scene):
    counts = public_counts(timezone.now())
    # c1..c5: five received; c4 rejected; c1 accepted twice (after its reopening) counts once.
    assert counts["totals"] == {
        "received": 5,
        "accepted": 3,
        "transferred": 3,  # c2 went twice
        "concluded": 1,
        "cases": 1,
    }
    hebei, guangdong = (
        counts["provinces"][province("130000")],
        counts["provinces"][province("440000")],
    )
    assert hebei == {"received": 4, "transferred": 2, "concluded": 1, "cases": 1}
    assert guangdong == {"received": 1, "transferred": 1, "concluded": 0, "cases": 0}
    assert len(counts["months"]) == 12
    this_month = counts["months"][-1]
    assert this_month[0] == timezone.localdate().replace(day=1)
    assert this_month[1] == {"received": 5, "concluded": 1}
    assert all(row == {"received": 0, "concluded": 0} for _, row in counts["months"][:-1])
    (gang,) = counts["categories"].values()
    assert gang == {"received": 5, "transferred": 3, "concluded": 1, "cases": 1}


@pytest.mark.parametrize(
    ("cells", "total", "expected"),
    [
        # Nothing small: all shown.
        ({"a": 10, "b": 7}, 17, {"a": 10, "b": 7}),
        # One small row would be found by subtraction: the next smallest goes too.
        ({"a": 10, "b": 7, "c": 2}, 19, {"a": 10, "b": None, "c": None}),
        # Two small rows hiding 6 between them: enough.
        ({"a": 10, "b": 3, "c": 3}, 16, {"a": 10, "b": None, "c": None}),
        # Two small rows hiding only 2: a third row is needed.
        ({"a": 10, "b": 6, "c": 1, "d": 1}, 18, {"a": 10, "b": None, "c": None, "d": None}),
        # Zeros are below the minimum too, but hiding only zeros reveals nothing.
        ({"a": 10, "b": 0}, 10, {"a": 10, "b": None}),
        # Clues in no row (no region) are a hidden row of their own.
        ({"a": 10, "b": 7}, 19, {"a": 10, "b": None}),
        ({"a": 10, "b": 7}, 27, {"a": 10, "b": 7}),
    ],
)
def test_small_figures_and_those_that_reveal_them_are_suppressed(cells, total, expected):
    assert services.protect(cells, total) == expected


def _counts_in(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("minimum", "verification_rate", "case_rate"):
                yield from _counts_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _counts_in(inner)
    elif isinstance(value, int):
        yield value


def test_no_published_figure_is_drawn_from_fewer_than_five_clues(scene):
    figures = services.build()
    published = list(_counts_in(figures))
    # The total received, this month's and the one category's: the same five clues.
    assert published == [5, 5, 5]
    assert figures["totals"]["received"] == 5
    assert figures["totals"]["accepted"] is None and figures["totals"]["verification_rate"] is None
    hebei = next(row for row in figures["provinces"] if row["name"] == "河北省")
    assert hebei["received"] is None  # 4 of the 5: it would reveal Guangdong's one


def test_with_a_lower_threshold_the_rates_appear(scene, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 1
    figures = services.build()
    assert figures["totals"]["verification_rate"] == round(1 / 3, 3)
    assert figures["totals"]["case_rate"] == 1.0
    hebei = next(row for row in figures["provinces"] if row["name"] == "河北省")
    assert (hebei["received"], hebei["transferred"], hebei["verification_rate"]) == (4, 2, 0.5)


@pytest.fixture
def page(site_tree):
    import transparency.demo

    return transparency.demo.load()


def test_the_page_waits_for_its_first_figures(page, client):
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "正在准备" in html
    assert "线索总体成案率" in html and "15.3%" in html  # the editor's milestone figures


@pytest.mark.usefixtures("render_every_time")
def test_the_page_reads_only_the_snapshot(page, scene, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 1
    services.refresh(force=True)
    client.get(page.url)  # warm the site and locale caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "reporting_" not in sql  # nothing is computed per request
    html = response.content.decode()
    assert "河北省" in html and "50.0%" in html
    english = client.get(page.get_translation(Locale.objects.get(language_code="en")).url)
    assert english.status_code == 200
    assert "Hebei" in english.content.decode() and "Open figures" in english.content.decode()


def test_suppressed_figures_say_so(page, scene, client):
    services.refresh(force=True)
    html = client.get(page.url).content.decode()
    assert '<abbr title="少于 5，不予显示">&lt;5</abbr>' in html
    assert 'class="chart"' in html  # the chart, not an icon of the header


# The worker closes a connection left inside a transaction, as a test's would be.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_refreshes_stale_figures_only(scene):
    first = services.refresh(force=True)
    assert services.refresh().pk == first.pk  # fresh: not recomputed
    Snapshot.objects.filter(pk=first.pk).update(computed_at=timezone.now() - timedelta(minutes=61))
    refresh_public_statistics.enqueue()
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())
    latest = Snapshot.objects.get()
    assert latest.computed_at > timezone.now() - timedelta(minutes=5)
    assert latest.figures["totals"]["received"] == 5


def test_only_one_statistics_page_per_home(page):
    assert not StatisticsPage.can_create_at(page.get_parent())
