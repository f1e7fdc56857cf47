"""Readers who miss the same page at once wait for one render in their process
(portal.pagecache.middleware.Renders) instead of each rendering it."""

import threading
import time

from django.http import HttpResponse
from django.test import RequestFactory

import pytest

from portal.pagecache import middleware
from portal.pagecache.middleware import PageCacheMiddleware

# Long enough for a thread that started to reach its wait on any machine; the tests end as
# soon as what they wait for happens.
PATIENCE = 30


class View:
    """A page whose render waits until the test lets it go, counting its renders."""

    def __init__(self, status=200, body="the page"):
        self.status = status
        self.body = body
        self.entered = threading.Semaphore(0)
        self.go_on = threading.Event()
        self.renders = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.renders += 1
        self.entered.release()
        assert self.go_on.wait(PATIENCE)
        return HttpResponse(self.body, status=self.status)


def fetch(cache_middleware, path, answers):
    request = RequestFactory().get(path, secure=True)
    answers.append(cache_middleware(request))


def until(condition):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def readers_of(cache_middleware, path, count):
    """`count` readers of `path` started one after the other, each once the one before is
    rendering or waiting; returns (threads, answers, key)."""
    answers = []
    key = cache_middleware.key(RequestFactory().get(path, secure=True))
    threads = []
    for number in range(count):
        thread = threading.Thread(target=fetch, args=(cache_middleware, path, answers))
        thread.start()
        threads.append(thread)
        if number == 0:
            assert cache_middleware.get_response.entered.acquire(timeout=PATIENCE)
        else:
            until(lambda number=number: middleware.renders.waiting(key) == number)
    return threads, answers, key


def served(view, path, count):
    """`count` readers of `path` held in `view` together, then let go; returns (answers,
    key) once all are answered."""
    threads, answers, key = readers_of(PageCacheMiddleware(view), path, count)
    view.go_on.set()
    for thread in threads:
        thread.join(PATIENCE)
    return answers, key


@pytest.fixture
def settings_for_pages(settings, tmp_path):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_CACHE_STAMP = tmp_path / "stamp"
    return settings


@pytest.mark.usefixtures("settings_for_pages")
def test_readers_missing_one_page_at_once_get_one_render():
    view = View()
    answers, key = served(view, "/renders-one/", 4)
    assert view.renders == 1
    assert [answer.status_code for answer in answers] == [200] * 4
    assert {answer.content for answer in answers} == {b"the page"}
    assert middleware.renders.waiting(key) == 0 and key not in middleware.renders.running


@pytest.mark.usefixtures("settings_for_pages")
def test_a_page_that_is_not_kept_is_rendered_for_each_waiting_reader():
    view = View(status=404, body="not here")
    answers, _key = served(view, "/renders-missing/", 3)
    assert view.renders == 3
    assert [answer.status_code for answer in answers] == [404] * 3


@pytest.mark.usefixtures("settings_for_pages")
def test_other_pages_do_not_wait():
    view = View()
    cache_middleware = PageCacheMiddleware(view)
    threads, answers, _key = readers_of(cache_middleware, "/renders-a/", 1)
    other = threading.Thread(target=fetch, args=(cache_middleware, "/renders-b/", answers))
    other.start()
    # The second page's render starts while the first is still held.
    assert view.entered.acquire(timeout=PATIENCE)
    assert view.renders == 2
    view.go_on.set()
    for thread in [*threads, other]:
        thread.join(PATIENCE)
    assert len(answers) == 2


@pytest.mark.usefixtures("settings_for_pages")
def test_a_render_that_fails_lets_the_next_reader_render():
    calls = []

    def failing(request):
        calls.append(request.path)
        raise RuntimeError("the database went away")

    cache_middleware = PageCacheMiddleware(failing)
    request = RequestFactory().get("/renders-failing/", secure=True)
    with pytest.raises(RuntimeError):
        cache_middleware(request)
    key = cache_middleware.key(request)
    assert key not in middleware.renders.running
    with pytest.raises(RuntimeError):
        cache_middleware(request)
    assert len(calls) == 2
