"""The operators' metrics endpoint (portal.metrics, docs/operations.md): who may read it, and
what it says, read back with prometheus_client's own parser of the text format."""

import io
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from portal import registry
from portal.pagecache.front import PageCacheApplication
from portal.settings.base import metrics_networks, metrics_token
from portal.settings.env import MissingSetting

from .test_settings import PRODUCTION_ENV
from .test_web_server import START_SECONDS, free_port

TOKEN = "metrics-test-token-0123456789abcdef"


@pytest.fixture
def scraper(settings):
    """GET /metrics with the token; {(sample name, labels as sorted pairs): value}."""
    settings.METRICS_TOKEN = TOKEN

    def scrape(client=None):
        response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return samples(response.content.decode())

    return scrape


def samples(text):
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, f"{key} twice"
            found[key] = sample.value
    return found


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


# Who may read it.


def test_without_a_token_or_networks_the_endpoint_is_off(client, settings):
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404
    assert response.content == b"Not found\n"


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN],
)
def test_a_missing_or_wrong_token_is_refused_without_reading_anything(
    client, settings, authorization
):
    # No django_db mark: pytest-django raises on any database access in this test.
    settings.METRICS_TOKEN = TOKEN
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 403
    assert response.content == b"Forbidden\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_right_token_is_answered_on_any_host_never_to_be_stored(client, settings):
    settings.METRICS_TOKEN = TOKEN
    # A container's address, not one of ALLOWED_HOSTS: Prometheus scrapes containers so.
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION=f"bearer  {TOKEN} ", HTTP_HOST="10.1.2.3:8000"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "portal_readiness_check" in response.content.decode()


@pytest.mark.django_db
def test_only_reading_is_allowed(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("networks", "remote", "status"),
    [
        (["10.0.0.0/8"], "10.20.30.40", 200),
        (["10.0.0.0/8"], "192.0.2.1", 403),
        (["192.0.2.7", "2001:db8::/32"], "192.0.2.7", 200),
        (["2001:db8::/32"], "2001:db8::5", 200),
        (["10.0.0.0/8"], "::ffff:10.0.0.5", 200),
        (["10.0.0.0/8"], "not-an-address", 403),
    ],
)
def test_an_allowed_network_needs_no_token(settings, networks, remote, status):
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_NETWORKS = networks
    assert Client(REMOTE_ADDR=remote).get("/metrics").status_code == status


@pytest.mark.django_db
def test_behind_the_proxy_the_address_it_saw_counts(settings):
    """As portal.clients reads it for rate limits: the address the trusted proxy appended,
    never one the client wrote into X-Forwarded-For itself."""
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = Client(REMOTE_ADDR="172.18.0.2")
    assert proxy.get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.9").status_code == 200
    forged = "10.0.0.9, 198.51.100.4"  # the client's own claim, then what the proxy saw
    assert proxy.get("/metrics", HTTP_X_FORWARDED_FOR=forged).status_code == 403


def test_settings_refuse_a_short_token_and_a_malformed_network():
    with pytest.raises(MissingSetting, match="METRICS_TOKEN must be at least 24"):
        metrics_token("short")
    assert metrics_token(None) is None
    with pytest.raises(MissingSetting, match=r"METRICS_ALLOWED_NETWORKS .* not '10\.0\.0\.0/33'"):
        metrics_networks(["10.0.0.0/8", "10.0.0.0/33"])
    assert metrics_networks(["10.0.0.0/8", "::1"]) == ["10.0.0.0/8", "::1"]


@pytest.mark.parametrize(
    ("variable", "given"), [("METRICS_TOKEN", "short"), ("METRICS_ALLOWED_NETWORKS", "10.0.0/8")]
)
def test_production_refuses_to_start_naming_the_bad_variable(run_django, variable, given):
    result = run_django(
        "import sys; sys.argv = ['manage.py', 'check']; import runpy; "
        "runpy.run_path('manage.py', run_name='__main__')",
        {**PRODUCTION_ENV, variable: given},
        settings_module="portal.settings.production",
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable} must be")


# What it says.


@pytest.mark.django_db
def test_requests_are_counted_by_view_method_and_status_class(scraper, client, settings):
    before = scraper()
    assert client.get("/search/", {"q": "扫黑"}).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert client.post("/robots.txt").status_code == 405
    # robots.txt built from an unset base address: a real error in a real view.
    settings.PORTAL_BASE_URL = None
    failing = Client(raise_request_exception=False)
    assert failing.get("/robots.txt").status_code == 500
    after = scraper()

    def delta(view, method, status):
        name = "portal_http_requests_total"
        labels = {"view": view, "method": method, "status": status}
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("search:search", "GET", "2xx") == 1
    assert delta("wagtail_serve", "GET", "4xx") == 1
    assert delta("robots_txt", "POST", "4xx") == 1
    assert delta("robots_txt", "GET", "5xx") == 1
    # The scrapes themselves are answered above the count. The counts are the process's, so
    # what earlier tests in it counted is there too: only what changed here is looked at.
    changed = {
        dict(labels)["view"]
        for (name, labels), count in after.items()
        if name == "portal_http_requests_total" and count != before.get((name, labels), 0)
    }
    assert changed == {"search:search", "wagtail_serve", "robots_txt"}
    count = "portal_http_request_duration_seconds_count"
    assert value(after, count, view="robots_txt") - value(before, count, view="robots_txt") == 2
    infinite = "portal_http_request_duration_seconds_bucket"
    assert value(after, infinite, view="robots_txt", le="+Inf") == value(
        after, count, view="robots_txt"
    )
    # Never the raw path: the labels are URL names.
    assert not any("no-such-page" in str(key) for key in after)


@pytest.mark.django_db
def test_an_address_no_route_takes_is_unresolved(scraper, client):
    before = scraper()
    # Not even Wagtail's page route takes a dot in a folder's name.
    assert client.get("/no.such.thing").status_code == 404
    after = scraper()
    name = "portal_http_requests_total"
    resolved = sum(v for (n, labels), v in after.items() if n == name) - sum(
        v for (n, labels), v in before.items() if n == name
    )
    assert resolved == 1
    assert any(dict(labels).get("view") == "unresolved" for n, labels in after if n == name)


@pytest.mark.django_db
def test_page_cache_hits_and_misses_are_counted(scraper, client):
    before = scraper()
    assert client.get("/robots.txt").status_code == 200  # rendered, stored
    assert client.get("/robots.txt").status_code == 200  # from the cache
    after = scraper()
    name = "portal_page_cache_requests_total"
    assert value(after, name, result="miss") - value(before, name, result="miss") == 1
    assert value(after, name, result="hit") - value(before, name, result="hit") == 1
    # The hit never reached the view: one request counted, the miss.
    requests = "portal_http_requests_total"
    labels = {"view": "robots_txt", "method": "GET", "status": "2xx"}
    assert value(after, requests, **labels) - value(before, requests, **labels) == 1


def wsgi_get(application, path, remote="127.0.0.1"):
    """One GET through a WSGI application, as gunicorn makes it: (status, body)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "REMOTE_ADDR": remote,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    started = []
    # As Django's test client does, the request leaves the test's database connection open:
    # it is inside the test's transaction, which closing it would lose.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, lambda status, headers, *_: started.append(status))
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started[0], body


@pytest.mark.django_db
def test_hits_answered_before_django_are_counted_and_metrics_never_stored(settings):
    """Through the WSGI application in front of Django (portal/wsgi.py), as gunicorn runs it;
    a scrape without a token (from an allowed network) is an anonymous read, yet never
    stored."""
    settings.METRICS_TOKEN = None
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    front = PageCacheApplication(WSGIHandler())

    def scrape():
        status, body = wsgi_get(front, "/metrics")
        assert status.startswith("200")
        return samples(body.decode())

    hit = miss = "portal_page_cache_requests_total"
    first = scrape()
    for _ in range(3):
        assert wsgi_get(front, "/robots.txt")[0].startswith("200")
    second = scrape()
    assert value(second, hit, result="hit") - value(first, hit, result="hit") == 2
    assert value(second, miss, result="miss") - value(first, miss, result="miss") == 1
    assert wsgi_get(front, "/robots.txt")[0].startswith("200")
    # A stored answer would repeat the second.
    assert value(scrape(), hit, result="hit") - value(second, hit, result="hit") == 1


@pytest.mark.django_db
def test_readiness_checks_are_gauges_and_say_degraded(scraper, settings):
    found = scraper()
    for check in ("database", "migrations", "task_queue", "evidence_storage"):
        assert value(found, "portal_readiness_check", check=check) == 1
    assert value(found, "portal_readiness_status", status="ok") == 1
    assert value(found, "portal_readiness_status", status="degraded") == 0

    private = Path(settings.PRIVATE_MEDIA_ROOT)
    shutil.rmtree(private, ignore_errors=True)
    private.write_bytes(b"")  # a file where the folder should be, as in test_health
    try:
        found = scraper()
    finally:
        private.unlink()
    assert value(found, "portal_readiness_check", check="evidence_storage") == 0
    assert value(found, "portal_readiness_check", check="database") == 1
    assert value(found, "portal_readiness_status", status="degraded") == 1
    assert value(found, "portal_readiness_status", status="ok") == 0


@pytest.mark.django_db
def test_the_database_queue_depth_and_oldest_age(scraper):
    from django_tasks_db.models import DBTaskResult

    from reporting.jobs.schedule import purge_abandoned_staging

    found = scraper()
    labels = {"queue": "default", "backend": "db"}
    assert value(found, "portal_task_queue_depth", **labels) == 0
    assert ("portal_task_queue_oldest_age_seconds", tuple(sorted(labels.items()))) in found

    first = purge_abandoned_staging.enqueue()
    purge_abandoned_staging.enqueue()
    later = purge_abandoned_staging.using(run_after=timezone.now() + timedelta(hours=1))
    delayed = later.enqueue()  # not waiting yet: its time has not come
    DBTaskResult.objects.filter(pk=delayed.id).update(
        enqueued_at=timezone.now() - timedelta(days=1)
    )
    DBTaskResult.objects.filter(pk=first.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    found = scraper()
    assert value(found, "portal_task_queue_depth", **labels) == 2
    age = value(found, "portal_task_queue_oldest_age_seconds", **labels)
    assert 600 <= age < 3600  # the ten-minute one, not the day-old delayed one


@pytest.mark.django_db
def test_the_rq_queue_depth_and_oldest_age(scraper, settings):
    import django_rq

    from reporting.jobs.schedule import purge_abandoned_staging

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/11"}}
    rq_queue = django_rq.get_queue("default")
    rq_queue.empty()
    try:
        labels = {"queue": "default", "backend": "rq"}
        assert value(scraper(), "portal_task_queue_depth", **labels) == 0
        for _ in range(3):
            purge_abandoned_staging.enqueue()
        found = scraper()
        assert value(found, "portal_task_queue_depth", **labels) == 3
        assert value(found, "portal_task_queue_oldest_age_seconds", **labels) >= 0
        assert value(found, "portal_metrics_collector_up", collector="task_queue") == 1
    finally:
        rq_queue.empty()


@pytest.mark.django_db
def test_a_failing_collector_leaves_the_others_answering(scraper, monkeypatch):
    def broken():
        raise RuntimeError("the figures are not there")

    monkeypatch.setitem(registry._metrics_collectors, "broken", broken)
    found = scraper()
    assert value(found, "portal_metrics_collector_up", collector="broken") == 0
    assert value(found, "portal_metrics_collector_up", collector="reporting") == 1
    assert value(found, "portal_metrics_collector_up", collector="readiness") == 1
    assert value(found, "portal_readiness_check", check="database") == 1


@pytest.mark.django_db
def test_a_scrape_costs_a_few_queries(scraper, django_assert_max_num_queries):
    scraper()  # the migrations check reads the plan once per process
    # SELECT 1, the task queue's check and its depth, and reporting's three aggregates.
    with django_assert_max_num_queries(6):
        scraper()


# Under gunicorn.

STALE = """
from prometheus_client import Counter
Counter("portal_http_requests", "", ["view", "method", "status"]).labels(
    "stale", "GET", "2xx"
).inc(1000)
"""


@pytest.mark.parametrize("folder", ["given", "gunicorn's own"])
def test_under_gunicorn_the_workers_counts_add_up_recycled_ones_included(tmp_path, folder):
    """gunicorn.conf.py as shipped, two workers, each recycled after three requests: every
    request is in the sum whichever process answered it, those since gone included. A
    folder given in PROMETHEUS_MULTIPROC_DIR is emptied of an earlier run's counts; without
    one, gunicorn makes its own."""
    metrics_dir = tmp_path / "metrics"
    folder_env = {}
    if folder == "given":
        metrics_dir.mkdir()
        clean = {"PATH": os.environ["PATH"], "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        subprocess.run([sys.executable, "-c", STALE], env=clean, check=True)
        assert list(metrics_dir.glob("counter_*.db"))
        folder_env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PORTAL_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "SECURE_SSL_REDIRECT": "false",
        "METRICS_TOKEN": TOKEN,
        **folder_env,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
         "--max-requests", "3", "--max-requests-jitter", "0",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "portal.wsgi:application"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    host = {"Host": "portal.example.org"}
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert server.poll() is None, "gunicorn stopped"
            try:
                if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        for _ in range(12):
            assert requests.get(f"{base}/robots.txt", headers=host, timeout=30).status_code == 200
        response = requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert response.status_code == 200
    found = samples(response.text)
    hits = value(found, "portal_page_cache_requests_total", result="hit")
    misses = value(found, "portal_page_cache_requests_total", result="miss")
    assert hits + misses == 12
    # Each of the four or more processes that answered them started with an empty cache, and
    # kept the page for its next reader.
    assert misses >= 4
    assert hits >= 1
    rendered = {"view": "robots_txt", "method": "GET", "status": "2xx"}
    assert value(found, "portal_http_requests_total", **rendered) == misses
    assert value(found, "portal_http_request_duration_seconds_count", view="robots_txt") == misses
    assert not any(dict(labels).get("view") == "stale" for _name, labels in found)
    # A deployer's folder stays (a tmpfs mount, say); only its files are the server's.
    assert metrics_dir.is_dir() == (folder == "given")


SETUP_THEN_ANSWER = """
import os, django; django.setup()
import portal.metrics.middleware, portal.pagecache.front
from django.core.management import call_command
call_command("check", verbosity=0)
print("set up")
if os.environ.get("ANSWER"):
    from django.test import Client
    print(Client().get("/robots.txt").status_code)
"""


def test_a_process_that_answers_no_request_needs_no_metrics_folder(run_django, tmp_path):
    """The task worker and management commands get the web's environment in compose's
    env_file: with PROMETHEUS_MULTIPROC_DIR naming a folder only the web container has, they
    must start, and write nothing there; a process that answers requests counts into it."""
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    missing = tmp_path / "missing"
    result = run_django(SETUP_THEN_ANSWER, {**base, "PROMETHEUS_MULTIPROC_DIR": str(missing)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "set up"
    assert not missing.exists()

    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**base, "PROMETHEUS_MULTIPROC_DIR": str(folder), "ANSWER": "1"}
    result = run_django(SETUP_THEN_ANSWER, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["set up", "200"]
    assert {path.name.split("_")[0] for path in folder.iterdir()} == {"counter", "histogram"}
