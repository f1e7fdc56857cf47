"""The public statistics page: hand-counted aggregates, the small-count suppression (with the
rows that would reveal a suppressed one), and a page that only reads the stored snapshot."""

from datetime import timedelta
from io import StringIO
from itertools import pairwise

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from wagtail.models import Locale

import pytest

from reporting.factories import ClueFactory
from reporting.models import Clue, Region
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
    assert counts["channels"] == {
        "web": {"received": 5, "transferred": 3, "concluded": 1, "cases": 1}
    }


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
            # The suppressed lines are totals less published rows: checked on their own.
            if key not in ("format", "minimum", "verification_rate", "case_rate", "suppressed"):
                yield from _counts_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _counts_in(inner)
    elif isinstance(value, int):
        yield value


def test_no_published_figure_is_drawn_from_fewer_than_five_clues(scene):
    figures = services.build()
    published = list(_counts_in(figures))
    # The total received, this month's, the twelve months' and the one category's, and the
    # web form's (every clue of the scene came through it): the same five clues.
    assert published == [5, 5, 5, 5, 5]
    # What the suppressed figures hold together: nothing, or at least the minimum.
    remainders = [
        value
        for table in figures["suppressed"].values()
        for value in table.values()
        if value is not None
    ]
    assert remainders and all(value == 0 or value >= 5 for value in remainders)
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


def _in(language, text, context=None):
    with translation.override(language):
        return escape(pgettext(context, text) if context else gettext(text))


def test_suppressed_figures_say_so(page, scene, client):
    services.refresh(force=True)
    english_page = page.get_translation(Locale.objects.get(language_code="en"))
    for language, url in (("zh-hans", page.url), ("en", english_page.url)):
        html = client.get(url).content.decode()
        word = _in(language, "suppressed", "a figure not shown")
        # Hebei's 4 received are hidden only so that Guangdong's 1 cannot be subtracted out:
        # one word for both, never "<5", with the explanation under the table.
        assert f'<span class="suppressed">{word}</span>' in html
        assert "&lt;5" not in html and "<5" not in html
        assert 'aria-describedby="suppressed-provinces"' in html
        note = html.split('id="suppressed-provinces"', 1)[1].split("</p>", 1)[0]
        with translation.override(language):
            explanation = escape(
                gettext(
                    "“Suppressed” marks a figure that is not published: it is drawn from fewer "
                    "than %(minimum)s clues, or it is hidden as well so that such a figure "
                    "cannot be worked out by subtracting the others from the total. A "
                    "suppressed figure may therefore be %(minimum)s or more."
                )
                % {"minimum": 5}
            )
        assert explanation in note
        # The provinces' rows shown and the line of suppressed figures add up to all clues.
        assert _in(language, "Suppressed figures and reports with no place, together") in html
        assert f'data-label="{_in(language, "Received")}"' in html  # a phone's card labels
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


# --- a table's rows and columns together -------------------------------------------------

NESTED = ("received", "transferred")


def _table(rows, rest=0):
    """rows: {key: (received, transferred)} -> the cells and the totals protect_table takes."""
    cells = {name: {key: row[i] for key, row in rows.items()} for i, name in enumerate(NESTED)}
    totals = {name: sum(cells[name].values()) + rest for name in NESTED}
    return cells, totals


def test_a_row_never_shows_a_figure_beside_a_larger_hidden_one():
    # Alone, each column would hide B's 9 received (to cover C's 2) but A's 6 transferred (to
    # cover C's 1), leaving B as "hidden received, 8 transferred": 8 tells the reader B's
    # received is at least 8, and so that C's is at most 2.
    cells, totals = _table({"A": (40, 6), "B": (9, 8), "C": (2, 1)})
    alone = {name: services.protect(cells[name], totals[name]) for name in NESTED}
    assert alone["received"]["B"] is None and alone["transferred"]["B"] == 8
    result = services.protect_table(cells, totals, NESTED)
    assert result["received"] == {"A": 40, "B": None, "C": None}
    assert result["transferred"] == {"A": 6, "B": None, "C": None}


def test_a_published_figure_cannot_bound_a_small_hidden_one_above_zero():
    # B's 2 transferred is hidden with A's 6, 8 in all; A's published 6 received caps A at 6,
    # so B would hold at least 2. Z's 40 is hidden instead of A's 6: Z alone can hold all 42.
    cells, totals = _table({"A": (6, 6), "B": (5, 2), "Z": (50, 40)})
    alone = services.protect(cells["transferred"], totals["transferred"])
    assert alone == {"A": None, "B": None, "Z": 40}
    result = services.protect_table(cells, totals, NESTED)
    assert result["received"] == {"A": 6, "B": 5, "Z": 50}
    assert result["transferred"] == {"A": 6, "B": None, "Z": None}


def _possible(cells, totals, result, rest, key, name):
    """Whether some table with the published figures, the totals and received >= transferred
    in every row has 0 at (key, name): brute force over the hidden transferred figures."""
    keys = [*cells["received"], "rest"] if rest else list(cells["received"])
    shown_r = {k: result["received"].get(k) for k in keys}
    shown_t = {k: result["transferred"].get(k) for k in keys}
    hidden_t = [k for k in keys if shown_t[k] is None]
    hidden_r = [k for k in keys if shown_r[k] is None]
    left_t = totals["transferred"] - sum(v for v in shown_t.values() if v is not None)
    left_r = totals["received"] - sum(v for v in shown_r.values() if v is not None)

    def compositions(total, parts):
        if parts == 1:
            yield (total,)
            return
        for first in range(total + 1):
            for more in compositions(total - first, parts - 1):
                yield (first, *more)

    for values in compositions(left_t, len(hidden_t)) if hidden_t else [()]:
        t = {**shown_t, **dict(zip(hidden_t, values, strict=True))}
        if name == "transferred" and t[key] != 0:
            continue
        if any(shown_r[k] is not None and t[k] > shown_r[k] for k in keys):
            continue
        # The hidden received must each hold at least their transferred; any surplus goes to a
        # hidden received other than a cell that must be 0.
        floor = {k: t[k] for k in hidden_r}
        if name == "received" and floor[key] != 0:
            continue
        surplus = left_r - sum(floor.values())
        takers = [k for k in hidden_r if not (name == "received" and k == key)]
        if surplus == 0 or (surplus > 0 and takers):
            return True
    return False


@pytest.mark.parametrize("seed", range(60))
def test_no_small_hidden_figure_can_be_shown_to_exist(seed):
    """Over random small tables: for every hidden figure of 1-4, some table that fits all
    that is published has 0 there, so no reader can tell that such a report exists, let alone
    subtract its number."""
    import random

    chance = random.Random(seed)
    rows = {}
    for key in "ABCD"[: chance.randint(2, 4)]:
        received = chance.choice([0, 1, 2, 3, 4, 5, 6, 8, 12])
        rows[key] = (received, chance.randint(0, received))
    rest = chance.choice([0, 0, 1, 3])
    cells, totals = _table(rows, rest=rest)
    cells_rest = {name: {**cells[name]} for name in NESTED}
    result = services.protect_table(cells, totals, NESTED, with_rest=bool(rest))
    for name in NESTED:
        if services.shown(totals[name]) is None:
            continue
        with_rest = {**cells_rest[name], **({"rest": rest} if rest else {})}
        for key, value in with_rest.items():
            hidden = key == "rest" or result[name][key] is None
            if hidden and 0 < value < 5:
                assert _possible(cells, totals, result, rest, key, name), (rows, rest, result)
    # A row never shows a figure beside a larger hidden one.
    for key in rows:
        assert not (result["received"][key] is None and result["transferred"][key] is not None)


@pytest.mark.parametrize("minimum", [1, 2, 5])
def test_the_rows_shown_and_the_suppressed_line_add_up_to_the_total(scene, settings, minimum):
    settings.PUBLIC_STATISTICS_MIN_COUNT = minimum
    figures = services.build()
    tables = {
        "categories": (figures["categories"], figures["totals"], services.BREAKDOWN),
        "channels": (figures["channels"], figures["totals"], services.BREAKDOWN),
        "provinces": (figures["provinces"], figures["totals"], services.BREAKDOWN),
        "months": (figures["months"], figures["month_totals"], ("received", "concluded")),
    }
    for table, (rows, totals, names) in tables.items():
        for name in names:
            suppressed = figures["suppressed"][table][name]
            if totals[name] is None:
                assert suppressed is None  # no line can give away a hidden total
                continue
            shown = sum(row[name] for row in rows if row[name] is not None)
            assert shown + suppressed == totals[name], (table, name)
            assert suppressed == 0 or suppressed >= minimum
            # A row never shows a figure beside a larger hidden one.
            if table != "months":
                for row in rows:
                    for before, after in pairwise(names):
                        assert not (row[before] is None and row[after] is not None), row


def test_the_demo_shows_published_and_suppressed_figures_side_by_side(client):
    """A newcomer sees suppression at work: a table of the demo with figures published and
    suppressed in the same column, the line that adds them up, and the note under it."""
    call_command("load_demo_content", stdout=StringIO())
    figures = Snapshot.objects.get().figures
    mixed = [
        (table, name)
        for table in ("categories", "provinces")
        for name in ("received", "transferred", "concluded")
        if {row[name] is None for row in figures[table]} == {True, False}
        and figures["suppressed"][table][name]
    ]
    assert mixed, figures
    html = client.get("/figures/").content.decode()
    assert 'class="suppressed"' in html and 'class="statistics__note suppressed-note"' in html
    # The channel table is there too, its rows and its line adding up to all clues. (With the
    # demo's two poster clues beside the web form's others, every row of it is suppressed:
    # the web form's figures would give the two away by subtraction.)
    assert 'id="figures-channels"' in html
    received = figures["suppressed"]["channels"]["received"] + sum(
        row["received"] or 0 for row in figures["channels"]
    )
    assert received == figures["totals"]["received"]


# --- the breakdown by channel ------------------------------------------------------------


def _channels(figures):
    return {row["channel"]: row for row in figures["channels"]}


def test_every_channel_is_a_row_and_small_ones_are_suppressed(scene, settings):
    """Hotline 1 and letter 1 are hidden with each other (two together reach a minimum of 2);
    the web form's 3 is published; a channel with no clue is listed with its zero hidden, as a
    kind with none is, so no row's absence tells a reader anything."""
    settings.PUBLIC_STATISTICS_MIN_COUNT = 2
    ClueFactory(channel=Clue.Channel.HOTLINE)
    ClueFactory(channel=Clue.Channel.LETTER)
    counts = public_counts(timezone.now())["channels"]
    assert {key: row["received"] for key, row in counts.items()} == {
        "web": 5,
        "hotline": 1,
        "letter": 1,
    }
    figures = services.build()
    rows = _channels(figures)
    assert list(rows) == [each.value for each in Clue.Channel]
    assert rows["web"]["received"] == 5
    assert rows["web"]["transferred"] == 3
    assert rows["hotline"]["received"] is None and rows["letter"]["received"] is None
    assert all(rows[key]["received"] is None for key in ("poster", "visit", "referral"))
    # The two hidden ones are 2 together: the line says so, and the rows add up to all 7.
    assert figures["suppressed"]["channels"]["received"] == 2
    assert figures["totals"]["received"] == 7
    # A row's figures after a hidden one are hidden too, its rates with them.
    assert rows["hotline"]["transferred"] is None and rows["hotline"]["case_rate"] is None
    assert rows["hotline"]["name_en"] == "12337 hotline"
    with translation.override("zh-hans"):
        assert rows["hotline"]["name"] == str(Clue.Channel.HOTLINE.label)


def test_a_single_other_channel_cannot_be_subtracted_out(scene):
    """With the minimum of 5, one hotline call beside five web reports: the web form's row,
    though 5, is hidden too, or the total less it would give the call away."""
    ClueFactory(channel=Clue.Channel.HOTLINE)
    figures = services.build()
    rows = _channels(figures)
    assert figures["totals"]["received"] == 6
    assert rows["web"]["received"] is None and rows["hotline"]["received"] is None
    assert figures["suppressed"]["channels"]["received"] == 6
    assert not any(value in range(1, 5) for value in _counts_in(figures["channels"]))


def test_the_channel_table_in_both_languages(page, scene, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 1
    ClueFactory(channel=Clue.Channel.HOTLINE)
    services.refresh(force=True)
    english_page = page.get_translation(Locale.objects.get(language_code="en"))
    for language, url in (("zh-hans", page.url), ("en", english_page.url)):
        html = client.get(url).content.decode()
        table = html.split('id="figures-channels"', 1)[1].split("</table>", 1)[0]
        assert _in(language, "By channel") in html.split('id="figures-channels"', 1)[1][:80]
        for channel in Clue.Channel:
            with translation.override(language):
                assert f'<th scope="row">{escape(str(channel.label))}</th>' in table
        assert f'data-label="{_in(language, "Verification rate")}"' in table
        assert _in(language, "All clues") in table
    english = client.get(english_page.url).content.decode()
    table = english.split('id="figures-channels"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">12337 hotline</th><td data-label="Received">1</td>' in table


def test_the_channel_table_says_what_is_suppressed(page, scene, client):
    ClueFactory(channel=Clue.Channel.HOTLINE)
    services.refresh(force=True)
    html = client.get(page.url).content.decode()
    assert 'aria-describedby="suppressed-channels"' in html
    assert 'id="suppressed-channels"' in html
    table = html.split('id="figures-channels"', 1)[1].split("</table>", 1)[0]
    assert "figures-table__suppressed" in table
    assert "&lt;5" not in table and "<5" not in table


@pytest.mark.usefixtures("render_every_time")
def test_a_snapshot_of_the_older_format_still_shows_and_is_replaced(page, scene, client):
    """Figures stored before the breakdown by channel: the page shows them without that table
    until the worker replaces them, which it does at once however fresh they are."""
    figures = services.build()
    del figures["format"], figures["channels"], figures["suppressed"]["channels"]
    old = Snapshot.objects.create(computed_at=timezone.now(), figures=figures)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figures-kinds"' in html and 'id="figures-channels"' not in html
    latest = services.refresh()
    assert latest.pk != old.pk and latest.figures["format"] == services.FORMAT
    assert services.refresh().pk == latest.pk  # the new one is fresh
    assert 'id="figures-channels"' in client.get(page.url).content.decode()
