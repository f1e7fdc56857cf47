"""What the report form costs does not grow with the regions and categories it offers: the
GET and the POST make the same queries with a country's three thousand counties, and the
region list, kept in memory, follows every change to the regions at once."""

import re
import time
from contextlib import contextmanager
from datetime import timedelta

from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore
from django_tasks_db.models import DBTaskResult

from reporting.intake.antispam import issue_stamp, stamp_age
from reporting.intake.fields import RegionSelect, region_options
from reporting.intake.receipts import check_access_key
from reporting.models import Category, Clue, LedgerEntry, ReceiptHandoff, Region

from .test_report_flow import receipt_codes

pytestmark = pytest.mark.django_db


def add_counties(count):
    """`count` more counties under a new city of Hebei, written at once (as a deployer's
    file of a real country's counties would be loaded, only faster)."""
    city = Region.objects.get(code="130000").add_child(
        code="139900", level="city", name="测试市", name_en="Test City"
    )
    Region.objects.bulk_create(
        Region(
            path=Region._get_path(city.path, city.depth + 1, number + 1),
            depth=city.depth + 1,
            numchild=0,
            code=f"139{number:06d}",
            level="county",
            name=f"测试县{number}",
            name_en=f"Test County {number}",
        )
        for number in range(count)
    )
    city.numchild = count
    city.save()  # and, as any saved region, the lists are built again


def add_categories(count):
    for number in range(count):
        Category.objects.create(
            slug=f"test-{number}",
            name=f"测试类别{number}",
            name_en=f"Test category {number}",
            description="说明",
            description_en="hint",
            sort_order=100 + number,
        )


def queries_of_a_report(client, report_page, valid_data):
    # The lists are built once, then kept; the very first page also creates the site's
    # settings, a change that has them built once more.
    client.get("/report/")
    client.get("/report/")
    with CaptureQueriesContext(connection) as get:
        client.get("/report/")
    _html, answers = report_page()
    with CaptureQueriesContext(connection) as post:
        response = client.post("/report/", valid_data(**answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    with CaptureQueriesContext(connection) as receipt:
        page = client.get(response["Location"])
    assert 'id="tracking-number"' in page.content.decode()
    return len(get), len(post), len(receipt)


def test_the_form_costs_the_same_queries_with_3000_regions_and_40_categories(
    client, report_page, valid_data
):
    few = queries_of_a_report(client, report_page, valid_data)
    add_counties(3200)
    add_categories(40)
    client.cookies.clear()
    many = queries_of_a_report(client, report_page, valid_data)
    assert few == many
    # The form itself: the captcha it issues; nothing for the lists, the menu or the footer.
    assert few[0] == 1, few
    # The receipt: taken in one statement, and no session read or written.
    assert few[2] == 1, few
    # The POST: the captcha, the clue with its people, ledger entry, its two statements of
    # the supervisors' figures (reporting.statistics_facts.first_facts: nothing read back),
    # receipt and follow-up task (with this test's savepoints), and nothing else: the audit
    # mirror and the intake mail are the worker's.
    assert few[1] <= 15, few


def test_a_region_added_renamed_or_removed_shows_at_once(client, report_page):
    report_page()
    add_counties(2)
    html = client.get("/report/").content.decode()
    assert "河北省 / 测试市 / 测试县1" in html
    county = Region.objects.get(name="测试县1")
    county.name = "改名县"
    county.save()
    html = client.get("/report/").content.decode()
    assert "测试县1" not in html and "河北省 / 测试市 / 改名县" in html
    county.delete()
    assert "改名县" not in client.get("/report/").content.decode()
    assert "Test City" in client.get("/en/report/").content.decode()


def test_a_category_switched_off_leaves_the_form_at_once(client, report_page):
    report_page()
    category = Category.objects.get(slug="routine-loans")
    radio = f'name="category" value="{category.pk}"'
    assert radio in client.get("/report/").content.decode()
    category.active = False
    category.save()
    assert radio not in client.get("/report/").content.decode()


@pytest.mark.parametrize("posted", ["switched off", "99999", "abc", "1.5", " "])
def test_a_report_with_a_category_not_offered_is_refused_and_kept(
    client, report_page, valid_data, posted
):
    """Categories are found among the kept active ones, which follow a switch-off at once."""
    category = Category.objects.get(slug="routine-loans")
    _, answers = report_page()
    assert client.post("/report/", valid_data(**answers)).status_code == 302  # kept now
    if posted == "switched off":
        category.active = False
        category.save()
        posted = category.pk
    _, answers = report_page()
    response = client.post("/report/", valid_data(category=posted, **answers))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_category-field"' in html  # the error summary names the field
    assert "每月有人上门暴力催收" in html
    assert Clue.objects.count() == 1


def test_a_region_list_rendered_from_memory_is_djangos_select(report_page):
    report_page()
    Region.objects.get(code="130000").add_child(
        code="139901", level="city", name="<\"&'>", name_en="x"
    )
    options = region_options()
    ours, django_own = RegionSelect(), forms.Select()
    ours.choices, django_own.choices = options, list(options)
    for value in (None, "", "130000", "139901", "999999", ["130200"]):
        assert ours.render("region", value, {"id": "id_region"}) == django_own.render(
            "region", value, {"id": "id_region"}
        ), value


def test_a_captcha_is_used_once_and_expired_ones_are_cleared(client, report_page, valid_data):
    _html, answers = report_page()
    stale = CaptchaStore.objects.create(
        challenge="ABCD", response="abcd", expiration=timezone.now() - timedelta(days=1)
    )
    wrong = client.post("/report/", valid_data(**{**answers, "captcha_1": "zzzz"}))
    assert wrong.status_code == 400
    # Tried once, wrongly: gone, and so is the expired one.
    assert not CaptchaStore.objects.filter(hashkey__in=[answers["captcha_0"], stale.hashkey])
    again = client.post("/report/", valid_data(**answers))
    assert again.status_code == 400 and not Clue.objects.exists()
    expired = CaptchaStore.objects.create(
        challenge="WXYZ", response="wxyz", expiration=timezone.now() - timedelta(days=1)
    )
    late = client.post(
        "/report/", valid_data(**{**answers, "captcha_0": expired.hashkey, "captcha_1": "wxyz"})
    )
    assert late.status_code == 400 and not Clue.objects.exists()


class Commits:
    """Counts the transactions that write: a write outside any transaction is one, and so is
    each commit after a write."""

    WRITES = ("INSERT", "UPDATE", "DELETE")

    def __init__(self):
        self.count, self.dirty, self.writes = 0, False, []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(self.WRITES):
            self.writes.append(sql.split("(")[0][:60])
            if connection.in_atomic_block:
                self.dirty = True
            else:
                self.count += 1
        return execute(sql, params, many, context)

    def commit(self, real):
        def counted():
            if self.dirty:
                self.count, self.dirty = self.count + 1, False
            return real()

        return counted


@contextmanager
def commits(monkeypatch):
    counter = Commits()
    with monkeypatch.context() as patch, connection.execute_wrapper(counter):
        patch.setattr(connection, "commit", counter.commit(connection.commit))
        yield counter


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_commits_four_times(client, report_page, valid_data, monkeypatch):
    """One commit each: the captcha the form issues, the captcha's check, the clue with
    everything stored with it and the tasks that follow it, and the receipt taken. No
    session is written, and the purge of abandoned forms waits for the periodic checks.
    On PostgreSQL the reporter waits for the disk only for the clue and the receipt: the
    captcha's rows are in an unlogged table (the next test)."""
    report_page()
    with commits(monkeypatch) as get:
        _html, answers = report_page()
    with commits(monkeypatch) as post:
        response = client.post("/report/", valid_data(**answers))
    assert response.status_code == 302
    with commits(monkeypatch) as receipt:
        page = client.get(response["Location"])
    assert 'id="tracking-number"' in page.content.decode()
    assert (get.count, post.count, receipt.count) == (1, 2, 1), (
        get.writes,
        post.writes,
        receipt.writes,
    )
    assert not [sql for sql in post.writes + receipt.writes if "django_session" in sql]
    queued = DBTaskResult.objects.filter(task_path__startswith="reporting.")
    assert list(queued.values_list("task_path", flat=True)) == [
        "reporting.jobs.follow_up.follow_new_clue_task"
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's unlogged tables")
@pytest.mark.django_db
def test_the_captchas_rows_are_kept_out_of_the_write_ahead_log():
    """A transaction that wrote only to unlogged tables commits without waiting for the disk
    (it wrote nothing to the log to flush): the captcha's challenges, which matter for
    minutes, and no other table of the portal."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace"
            " WHERE relpersistence = 'u' AND relkind = 'r' AND nspname = current_schema()"
        )
        assert [name for (name,) in cursor.fetchall()] == [CaptchaStore._meta.db_table]


PER_REQUEST = re.compile(
    r'(name="(?:captcha_0|submission_token|issued|csrfmiddlewaretoken)" value=")[^"]*"'
    r"|/captcha/(?:image|audio)/[0-9a-f]+"
)


def test_kept_field_markup_is_what_the_form_writes_afresh(client, report_page, settings):
    """The fields of a first visit are written once and kept; what is kept is what would be
    written, and a poster's preselection is never kept for the next visitor."""
    report_page()
    category = Category.objects.get(slug="routine-loans")
    checked = f'<input type="radio" name="category" value="{category.pk}"[^>]* checked'
    poster = client.get("/report/?category=routine-loans&region=130000").content.decode()
    assert re.search(checked, poster)
    assert '<option value="130000" selected>' in poster
    kept = [client.get("/report/").content.decode() for _ in range(2)]
    settings.PAGE_PARTS_CACHE_SECONDS = 0  # every part written afresh
    fresh = client.get("/report/").content.decode()
    assert PER_REQUEST.sub("", kept[0]) == PER_REQUEST.sub("", kept[1])
    assert PER_REQUEST.sub("", kept[1]) == PER_REQUEST.sub("", fresh)
    assert " checked" not in fresh.split('name="category"', 1)[1].split("</fieldset>")[0]
    assert '<option value="130000" selected>' not in fresh


def values_of(html):
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "submission_token", "issued", "captcha_0")
    }


def test_a_first_visit_is_the_page_written_once_with_its_own_four_values(
    report_page, valid_data, settings
):
    """Every first visit gets the page written for the first one, with a CSRF token, a
    submission token, a time stamp and a captcha of its own; and a report sent from such a
    page, through Django's real CSRF check, is stored."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/report/")  # creates the site's settings: a change, so written once more
    first = browser.get("/report/")
    assert "reporting/report_form.html" in [t.name for t in first.templates]
    written = first.content.decode()
    with CaptureQueriesContext(connection) as kept_visit:
        filled = browser.get("/report/")
    html = filled.content.decode()
    assert len(kept_visit) == 1 and "INSERT" in kept_visit[0]["sql"]  # the captcha, no more
    assert not [t.name for t in filled.templates]  # filled in, not written
    assert filled["Referrer-Policy"] == "no-referrer" and "no-store" in filled["Cache-Control"]
    settings.PAGE_PARTS_CACHE_SECONDS = 0
    fresh = browser.get("/report/").content.decode()
    assert PER_REQUEST.sub("", written) == PER_REQUEST.sub("", html) == PER_REQUEST.sub("", fresh)
    first, second = values_of(written), values_of(html)
    assert all(first[name] != second[name] for name in first)
    # The picture, and the recording when the server can speak (espeak-ng), are this visit's.
    assert set(re.findall(r"/captcha/(?:image|audio)/([0-9a-f]+)/", html)) == {second["captcha_0"]}
    assert stamp_age(second["issued"], second["submission_token"]) is not None
    answer = CaptchaStore.objects.get(hashkey=second["captcha_0"]).response
    data = {
        **valid_data(),
        **second,
        "captcha_1": answer,
        "issued": issue_stamp(second["submission_token"], at=time.time() - 60),
    }
    response = browser.post("/report/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert Clue.objects.filter(submission_token=second["submission_token"]).exists()


def test_a_first_visit_is_kept_per_language_and_follows_the_content(client, report_page):
    report_page()
    client.get("/en/report/")
    english = client.get("/en/report/").content.decode()
    assert 'lang="en"' in english and "Report a clue" in english
    chinese = client.get("/report/").content.decode()
    assert 'lang="zh-Hans"' in chinese and "举报线索" in chinese
    category = Category.objects.get(slug="routine-loans")
    category.name = "改过名的类别"
    category.save()
    assert "改过名的类别" in client.get("/report/").content.decode()
    poster = client.get("/report/?category=routine-loans").content.decode()
    assert re.search(rf'value="{category.pk}"[^>]* checked', poster)
    again = client.get("/report/").content.decode()
    assert not re.search(rf'value="{category.pk}"[^>]* checked', again)


def test_every_receipt_is_the_page_written_once_with_its_own_codes(
    client, report_page, valid_data, settings
):
    def receipt():
        _, answers = report_page()
        response = client.post("/report/", valid_data(**answers))
        with CaptureQueriesContext(connection) as shown:
            page = client.get(response["Location"])
        written.append(bool(page.templates))
        return page.content.decode(), len(shown)

    written = []

    codes = re.compile(r'(id="(?:tracking-number|access-key)" class="receipt__code">)[^<]+<')
    pages = [receipt() for _ in range(3)]
    settings.PAGE_PARTS_CACHE_SECONDS = 0
    pages.append(receipt())
    # Written (the first and the last) or filled in, a receipt takes its stored copy and
    # nothing more: the page's frame (menu, footer) was kept when the form was rendered.
    # Nothing kept, it reads the menu, the footer and the site too.
    assert [queries for _page, queries in pages][:3] == [1, 1, 1]
    assert pages[3][1] > 1
    assert written == [True, False, False, True]
    assert len({codes.sub("", page) for page, _queries in pages}) == 1
    shown = [receipt_codes(page) for page, _queries in pages]
    assert len(set(shown)) == 4
    for number, key in shown:
        clue = Clue.objects.get(tracking_number=number.replace(" ", ""))
        assert check_access_key(key, clue.access_key_hash)


def test_a_value_also_found_in_the_pages_text_leaves_the_page_unkept():
    from reporting.intake.kept_pages import Skeleton

    page = "<p>编号 1234</p><dd>1234</dd><p>ABCD</p>"
    assert Skeleton.cut(page, {"number": "1234"}, {"number": 1}) is None
    assert Skeleton.cut(page, {"number": "9999"}, {"number": 1}) is None
    assert Skeleton.cut(page + "\x00", {"key": "ABCD"}, {"key": 1}) is None
    kept = Skeleton.cut(page, {"number": "1234", "key": "ABCD"}, {"number": 2, "key": 1})
    assert kept.fill({"number": "5678", "key": "<b>"}) == (
        "<p>编号 5678</p><dd>5678</dd><p>&lt;b&gt;</p>"
    )


def test_a_receipt_opened_with_a_query_is_never_kept_for_the_next_reporter(
    client, report_page, valid_data
):
    """The page's links carry its query (the report button keeps a poster's entry code), so a
    receipt asked for with one is written for its reporter alone."""
    pages = []
    for query in ("?entry=EVIL1&region=110000", "", ""):
        _, answers = report_page()
        response = client.post("/report/", valid_data(**answers))
        pages.append(client.get(response["Location"] + query).content.decode())
    assert "EVIL1" in pages[0]
    assert "EVIL1" not in pages[1] and "EVIL1" not in pages[2]
    assert receipt_codes(pages[1]) != receipt_codes(pages[2])


def indexes_holding(model, pk):
    """The indexes of `model`'s table that hold the row `pk`: every index but the partial ones
    whose condition the row does not meet."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT index.relname, pg_get_expr(pg_index.indpred, pg_index.indrelid)"
            " FROM pg_index JOIN pg_class index ON index.oid = pg_index.indexrelid"
            " WHERE pg_index.indrelid = %s::regclass",
            [model._meta.db_table],
        )
        holding = []
        for name, condition in cursor.fetchall():
            if condition is not None:
                cursor.execute(
                    f"SELECT EXISTS (SELECT FROM {table} WHERE id = %s AND ({condition}))",  # noqa: S608 # nosec B608 (the catalogue's own condition)
                    [pk],
                )
                if not cursor.fetchone()[0]:
                    continue
            holding.append(name)
    return sorted(holding)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue")
def test_a_report_writes_only_the_index_entries_it_is_looked_up_by(
    client, report_page, valid_data
):
    """Columns a new clue leaves empty (its unit, duplicate, cluster, page, closing) are
    indexed only where they hold a value, and the tokens have no index for LIKE patterns: a
    report with a region writes 11 index entries for its clue (17 before), 4 for its ledger
    entry (6) and 2 for its receipt (4)."""
    _html, answers = report_page()
    response = client.post("/report/", valid_data(**answers))
    assert response.status_code == 302
    clue = Clue.objects.get()
    entry = clue.ledger.get()
    handoff = ReceiptHandoff.objects.get()
    assert indexes_holding(Clue, clue.pk) == [
        "clue_feedback_due_at",  # the queue's order
        "clue_follow_up_pending",  # until the worker has followed it up
        "clue_one_per_submission",
        "clue_open_by_status",
        "clue_unit_pages",  # a composite index: it holds the empty unit too
        "reporting_clue_category_id_afa8f626",
        "reporting_clue_created_at_771b3a82",
        "reporting_clue_pkey",
        "reporting_clue_region_id_744cc9a6",
        "reporting_clue_tracking_number_0fc68c72_like",  # staff look a number up by its start
        "reporting_clue_tracking_number_key",
    ]
    assert indexes_holding(LedgerEntry, entry.pk) == [
        "ledger_action_at",
        "reporting_ledgerentry_at_0ec34929",
        "reporting_ledgerentry_clue_id_65c65d87",
        "reporting_ledgerentry_pkey",
    ]
    assert indexes_holding(ReceiptHandoff, handoff.pk) == [
        "receipt_one_per_form",
        "reporting_receipthandoff_pkey",
    ]
