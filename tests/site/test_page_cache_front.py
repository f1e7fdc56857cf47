"""The WSGI application in front of Django (portal.pagecache.PageCacheApplication): a stored
page is answered with exactly what the middleware would answer, without Django's handler; every
request the middleware would not answer from the cache reaches Django unchanged."""

import io
import sys
from urllib.parse import unquote

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

import brotli
import pytest

from content.models import StandardPage
from portal.models import PortalSettings
from portal.pagecache.front import PageCacheApplication
from portal.pagecache.generation import release

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_tree(site_tree):
    PortalSettings.for_site(site_tree["site"])
    return site_tree


@pytest.fixture
def front():
    return PageCacheApplication(WSGIHandler())


@pytest.fixture
def django_requests():
    """How many requests reached Django's handler."""
    seen = []

    def count(**_kwargs):
        seen.append(1)

    request_started.connect(count, dispatch_uid="front-test")
    yield seen
    request_started.disconnect(dispatch_uid="front-test")


def call(application, path="/", method="GET", query="", **headers):
    """One request through a WSGI application, as gunicorn makes it; (status, headers, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        # What Django's test client sends, so that both name the same page.
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    started = []
    # As Django's test client does, the request leaves the test's database connection open:
    # it is inside the test's transaction, which closing it would lose.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(
            environ, lambda status, headers, *_: started.append((status, headers))
        )
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, header_list = started[0]
    return status, header_list, body


def test_a_stored_page_is_answered_as_the_middleware_answers_it(
    front, site_tree, django_requests, django_assert_num_queries
):
    stored = Client().get("/")
    again = Client().get("/")
    with django_assert_num_queries(0):
        status, headers, body = call(front, "/")
    assert django_requests == [1, 1]  # the two through the test client, none through the front
    assert status == "200 OK"
    assert body == stored.content == again.content
    # The same headers as a hit through Django, SecurityMiddleware's and the validators too.
    assert dict(headers) == dict(again.items())
    names = [name.lower() for name, _value in headers]
    assert len(names) == len(set(names)), "no header twice"
    assert dict(headers)["X-Content-Type-Options"] == "nosniff"


def test_a_browser_gets_the_stored_compressed_body(front, site_tree, django_requests):
    plain = Client().get("/").content
    _status, headers, body = call(front, "/", accept_encoding="gzip, deflate, br")
    headers = dict(headers)
    assert django_requests == [1]
    assert headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == plain
    assert headers["Content-Length"] == str(len(body))
    assert headers["ETag"].endswith('-br"')
    through_django = Client().get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert through_django["ETag"] == headers["ETag"]
    assert through_django.content == body


@pytest.mark.parametrize(
    "request_kwargs",
    [
        # A reader with a session: rendered for them alone.
        {"cookie": "sessionid=anything"},
        {"authorization": "Basic eDp5"},
        # Conditional requests: Django's own rules answer them (304 here).
        {"if_none_match": "*"},
        {"method": "HEAD"},
        {"method": "POST"},
    ],
)
def test_what_the_front_leaves_to_django(front, site_tree, django_requests, request_kwargs):
    Client().get("/")
    status, _headers, _body = call(front, "/", **request_kwargs)
    assert len(django_requests) == 2
    assert status.split()[0] in {"200", "304", "403", "405"}


def test_a_miss_is_rendered_and_stored_by_django(front, site_tree, django_requests):
    status, _headers, first = call(front, "/")
    assert status == "200 OK" and django_requests == [1]
    status, _headers, again = call(front, "/")
    assert again == first and django_requests == [1]


def test_a_page_with_a_chinese_address(front, site_tree, django_requests):
    page = site_tree["home"].add_child(instance=StandardPage(title="举报须知", slug="举报须知"))
    # As a server hands it over (PEP 3333): the URL's bytes, each one a character.
    path = unquote(page.url).encode().decode("latin-1")
    for _visit in range(2):
        status, _headers, body = call(front, path)
        assert status == "200 OK" and "举报须知" in body.decode()
    assert django_requests == [1]


def test_a_publication_is_shown_at_once(front, site_tree, django_requests):
    call(front, "/")
    home = site_tree["home"]
    home.title = "前端之后的新标题"
    home.save_revision().publish()
    _status, _headers, body = call(front, "/")
    assert "前端之后的新标题" in body.decode()
    assert len(django_requests) == 2


def test_report_pages_and_unknown_hosts_always_reach_django(front, site_tree, django_requests):
    status, _headers, _body = call(front, "/report/")
    call(front, "/report/")
    assert status == "200 OK" and len(django_requests) == 2
    status, _headers, _body = call(front, "/", host="evil.example")
    assert status.startswith("400") and len(django_requests) == 3


def test_with_the_cache_off_everything_reaches_django(front, site_tree, django_requests, settings):
    settings.PAGE_CACHE_SECONDS = 0
    call(front, "/")
    call(front, "/")
    assert len(django_requests) == 2


def test_an_unreachable_redis_renders_pages_instead_of_failing(
    front, site_tree, django_requests, settings
):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1.
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    page = site_tree["home"].add_child(instance=StandardPage(title="举报须知", slug="guide"))
    release.cache_clear()
    try:
        # The home page keeps its sections in the page cache too: rendered afresh.
        for url, text in (("/", site_tree["home"].title), (page.url, "举报须知")):
            status, headers, body = call(front, url)
            assert status == "200 OK" and text in body.decode()
            assert dict(headers)["Cache-Control"] == "private, no-store"
    finally:
        release.cache_clear()


def test_the_deployed_application_is_the_front():
    from portal.wsgi import application

    assert isinstance(application, PageCacheApplication)
