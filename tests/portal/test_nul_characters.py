"""A NUL character in an address. PostgreSQL refuses one in a query with an error, where any
other value that matches nothing finds no rows; the error page took that error for a database
outage (503, Retry-After, a logged traceback). A NUL in the path or the query string is now
refused with 400 before anything reads the database, in both languages, on every page and
admin listing; a cookie holding one is ignored. Run on SQLite and PostgreSQL."""

from wagtail.models import Page

import pytest

import content.demo_stories

pytestmark = pytest.mark.django_db

# Every parameter a page of the portal reads, and one it does not.
PARAMETERS = [
    "tag",
    "region",
    "year",
    "kind",
    "page",
    "q",
    "entry",
    "category",
    "notice",
    "size",
    "ecc",
    "utm_source",
]


@pytest.fixture
def public_paths(site_tree):
    """Every page of the demo's site in both languages, and the pages that are not pages."""
    content.demo_stories.load()
    pages = [page.url for page in Page.objects.live().exclude(depth=1).specific()]
    assert "/stories/" in pages and "/en/stories/" in pages and "/en/news/" in pages
    return [
        *pages,
        *("/search/", "/report/", "/report/status/", "/report/receipt/"),
        *("/en/search/", "/en/report/", "/en/report/status/"),
        *("/sitemap.xml", "/robots.txt", "/r/ABC234/", "/r/ABC234/qr.svg"),
    ]


def test_a_nul_in_any_query_parameter_is_refused_before_the_database(
    client, public_paths, django_assert_num_queries
):
    for path in public_paths:
        queries = [f"{name}={value}" for name in PARAMETERS for value in ("%00", "%E5%94%90%00")]
        for query in [*queries, "x%00=1", "tag=%E5%A4%9C&region=%00"]:
            with django_assert_num_queries(0):
                response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            assert "Retry-After" not in response


def test_the_listings_still_filter_on_postgresql_and_sqlite(client, public_paths):
    """The filters the audit named work as before with a real value."""
    for url in ("/en/stories/?region=%E5%94%90%E5%B1%B1%E5%B8%82", "/stories/?tag=x", "/?q=x"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("prefix", "language", "words"),
    [("", "zh-Hans", "电话举报请拨打全国举报电话"), ("/en", "en", "Bad request")],
)
def test_the_refusal_is_the_portals_page_in_the_language_of_the_address(
    client, site_tree, prefix, language, words
):
    response = client.get(f"{prefix}/stories/?region=%00")
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<html lang="{language}">' in html
    assert words in html
    assert f'href="{prefix}/"' in html  # the home page of that language
    # Below the middleware that send them: the refusal has the portal's headers too.
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/en/%00/",
        "/stories/%00/",
        "/en/stories/a%00b/",
        "/search/%00",
        "/report/%00/",
        "/r/%00/",
        "/r/ABC%00/qr.png",
        "/documents/1/a%00.pdf",
        "/admin/%00/",
        "/admin/reporting/clues/inspect/1%00/",
    ],
)
def test_a_nul_in_the_path_is_refused(client, site_tree, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 400


ADMIN_LISTINGS = [
    "/admin/reporting/clues/?q=%00",
    "/admin/reporting/clues/?region=%00",
    "/admin/reporting/clues/?entry_code=%00",
    "/admin/reporting/clues/?category=%00&status=%00&unit=%00",
    "/admin/reporting/clues/?export=csv&region=%00",
    "/admin/reporting/ledger/?tracking_number=%00",
    "/admin/reporting/ledger/?action=%00&at_after=%00",
    "/admin/reporting/units/?q=%00",
    "/admin/reporting/memberships/?unit=%00",
    "/admin/reporting/categories/?q=%00",
    "/admin/posters/entry-points/?q=%00",
    "/admin/posters/campaigns/?q=%00",
    "/admin/pages/search/?q=%00",
    "/admin/images/?q=%00",
    "/admin/documents/?q=%00",
    "/admin/users/?q=%00",
    "/admin/reports/site-history/?action=%00",
    "/admin/reporting/clues/?ordering=%00",
]


def test_admin_listings_refuse_a_nul_in_their_filters(admin_client, django_assert_num_queries):
    for url in ADMIN_LISTINGS:
        assert admin_client.get(url.split("?")[0]).status_code == 200, url
        with django_assert_num_queries(0):
            assert admin_client.get(url).status_code == 400, url


def test_a_session_cookie_holding_a_nul_is_ignored(client, site_tree):
    """A quoted cookie may spell a NUL as \\000; the session it names cannot exist. On
    PostgreSQL its lookup failed on every page of that browser."""
    cookie = 'sessionid="abcdefghij\\000klmnopqrstuvwxyz0123"'
    for path in ("/", "/en/", "/report/", "/en/report/status/"):
        assert client.get(path, HTTP_COOKIE=cookie).status_code == 200, path
    response = client.get("/admin/", HTTP_COOKIE=cookie)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
