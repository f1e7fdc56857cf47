"""The search page kept for anonymous readers in the page cache (docs/caching.md), keyed by
the canonical query (search/query.py) and stale as soon as the content changes."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portal.models import PortalSettings
from tests.site.page_cache.helpers import PRIVATE, PUBLIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(site_tree):
    """An anonymous browser, on a site whose settings row exists (the first render would
    otherwise create it, and so change the content's generation)."""
    PortalSettings.for_site(site_tree["site"])
    return Client()


def fetch(reader, url):
    """(response, SQL queries it cost)."""
    with CaptureQueriesContext(connection) as queries:
        response = reader.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("/search/?q=%E6%89%AB%E9%BB%91", "/search/?q=%20%20%E6%89%AB%E9%BB%91%E3%80%80&page=1"),
        ("/en/search/?q=Report+clue", "/en/search/?q=%EF%BC%B2%EF%BC%A5%EF%BC%B0ORT%09%20clue"),
        ("/en/search/?q=report&page=2", "/en/search/?page=02&q=REPORT"),
        ("/search/?q=%E6%89%AB%E9%BB%91", "/search/?q=扫黑"),  # sent unencoded
    ],
)
def test_the_same_query_again_reads_nothing(reader, add_page, first, again):
    add_page("扫黑工作动态", "<p>各地扫黑工作的进展。</p>")
    rendered, queries = fetch(reader, first)
    assert queries > 0 and rendered["Cache-Control"] == PUBLIC
    # Spacing, width, case and the first page's number make no other query.
    kept, queries = fetch(reader, again)
    assert queries == 0
    assert kept.content == rendered.content


def test_the_page_shows_the_canonical_query_and_links_it(reader, site_tree):
    response, _queries = fetch(reader, "/en/search/?q=%20REPORT%20%20Clue")
    html = response.content.decode()
    assert 'value="report clue"' in html
    assert 'href="/search/?q=report+clue"' in html  # the language switch


def test_languages_are_kept_apart(reader, site_tree):
    chinese, _queries = fetch(reader, "/search/?q=report")
    english, queries = fetch(reader, "/en/search/?q=report")
    assert queries > 0
    assert english.content != chinese.content


def test_publishing_a_page_shows_in_the_next_search(reader, add_page):
    first, _queries = fetch(reader, "/search/?q=%E4%BF%9D%E6%8A%A4%E4%BC%9E")
    page = add_page("保护伞的识别", "<p>保护伞。</p>")
    after, queries = fetch(reader, "/search/?q=%E4%BF%9D%E6%8A%A4%E4%BC%9E")
    assert queries > 0
    assert page.url not in first.content.decode()
    assert page.url in after.content.decode()
    page.unpublish()
    gone, queries = fetch(reader, "/search/?q=%E4%BF%9D%E6%8A%A4%E4%BC%9E")
    assert queries > 0 and page.url not in gone.content.decode()


def test_a_page_indexed_after_its_publication_shows(reader, add_page):
    """Wagtail indexes a published page in a task, which may run after a search has been kept
    with the old index: the task's end makes that search stale too."""
    page = add_page("保护伞的识别", "<p>保护伞。</p>", index=False)
    before, _queries = fetch(reader, "/search/?q=%E4%BF%9D%E6%8A%A4%E4%BC%9E")
    assert page.url not in before.content.decode()
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    for task in DBTaskResult.objects.ready():
        worker.run_task(task)
    after, queries = fetch(reader, "/search/?q=%E4%BF%9D%E6%8A%A4%E4%BC%9E")
    assert queries > 0
    assert page.url in after.content.decode()


def test_staff_get_fresh_results_and_leave_none_behind(client, reader, superuser, add_page):
    client.force_login(superuser)
    add_page("扫黑工作动态", "<p>各地扫黑工作的进展。</p>")
    url = "/search/?q=%E6%89%AB%E9%BB%91"
    for _ in range(2):
        response = client.get(url)
        assert response["Cache-Control"] == PRIVATE
        assert response.context["results"]  # rendered, not replayed
    _response, queries = fetch(reader, url)
    assert queries > 0  # staff left nothing for the anonymous reader


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",
        "q=" + "%E6%B3%95" * 10_000,
        "q=" + "a" * 10_000,
        "q=%E6%B3%95&page=abc",
        "q=%E6%B3%95&page=999999",
        "q=%E6%B3%95&page=99999999999999999999999999",
        "q=%01%E6%B3%95%1B",
        "q=%E6%B3%95%E2%80%8B",
        "q=%ED%A0%80",
        "q=%ED%A0%80&page=%ED%A0%80",
        "q=%E6%B3%95&q=%E5%BE%8B",
        "q=%E6%B3%95&utm_source=x",
        "q=%FF%FE",
    ],
)
def test_bad_input_gives_a_clear_page(reader, site_tree, query):
    for _ in range(2):  # rendered, then kept or rendered again
        response, _queries = fetch(reader, "/search/?" + query)
        assert "<h1>" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "a" * 101,
        "q=%E6%B3%95&page=abc",
        "q=%E6%B3%95&page=999999",
        "q=%01%E6%B3%95",
        "q=%E6%B3%95%E2%80%8B",
        "q=%E6%B3%95&q=%E5%BE%8B",
        "q=%E6%B3%95&utm_source=x",
    ],
)
def test_what_cannot_be_kept_is_rendered_each_time(reader, site_tree, query):
    for _ in range(2):
        response, queries = fetch(reader, "/search/?" + query)
        assert queries > 0 and response["Cache-Control"] == PRIVATE
