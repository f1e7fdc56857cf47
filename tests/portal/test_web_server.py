"""gunicorn as gunicorn.conf.py runs it: a client that sends slowly holds one thread of a
worker, never the worker (drills/slow_clients.py measures it with forty such clients), and a
worker's threads share a bounded pool of PostgreSQL connections, whose figures reach the
metrics."""

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

import psycopg
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from .test_database import server_url
from .test_settings import PRODUCTION_ENV

# Bounds a failure only: a healthy start answers within seconds.
START_SECONDS = 90
METRICS_TOKEN = "pool-metrics-token-" + "x" * 20


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(env):
    """gunicorn with the shipped settings, a single worker and `env`; yields its address."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "portal.wsgi:application"],
        cwd=settings.BASE_DIR, env={**os.environ, **PRODUCTION_ENV,
                                    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                                    **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    try:
        while server.poll() is None:
            try:
                if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert server.poll() is None, "gunicorn stopped"
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def file_areas(tmp_path):
    return {
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }


@pytest.fixture
def one_worker(tmp_path):
    with serving(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **file_areas(tmp_path)}
    ) as base:
        yield base


def test_clients_that_send_slowly_leave_the_worker_answering(one_worker):
    port = int(one_worker.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port)) as slow_header,
        socket.create_connection(("127.0.0.1", port)) as slow_body,
    ):
        # A header not ended, and a report whose body has barely begun: each waits for more.
        slow_header.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
        slow_body.sendall(
            b"POST /report/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n"
        )
        answers = [requests.get(f"{one_worker}/healthz/", timeout=10) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the pool is PostgreSQL's (psycopg_pool)"
)
@pytest.mark.django_db
def test_a_workers_threads_share_a_bounded_pool_of_connections(tmp_path):
    """Twenty-four clients at once on a worker of 8 threads and a pool of 2: every request is
    answered, and the worker never holds more than 2 connections (it held one per thread).
    The metrics then show the pool's size, and the requests that waited for a connection."""
    probe_name = f"pool-probe-{os.getpid()}"
    env = {
        # The suite's own test database, migrated: /readyz/ reads its migrations.
        "DATABASE_URL": server_url(connection.settings_dict["NAME"])
        + f"?application_name={probe_name}",
        "WEB_THREADS": "8",
        "DATABASE_POOL_SIZE": "2",
        "METRICS_TOKEN": METRICS_TOKEN,
        **file_areas(tmp_path),
    }
    held = []
    loaded = threading.Event()

    def watch():
        with psycopg.connect(server_url(), autocommit=True) as admin:
            while not loaded.is_set():
                count = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [probe_name],
                ).fetchone()[0]
                held.append(count)
                time.sleep(0.01)

    with serving(env) as base:
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(24) as clients:
                answers = list(
                    clients.map(
                        lambda _n: requests.get(f"{base}/readyz/", timeout=30).status_code,
                        range(240),
                    )
                )
        finally:
            loaded.set()
            watcher.join()
        figures = pool_figures(base)
    assert answers == [200] * 240
    assert max(held) == 2  # the pool's two, never one per busy thread
    assert figures["portal_database_pool_max_connections"] == 2
    assert figures["portal_database_pool_waits_total"] > 0  # 24 clients, 2 connections
    assert figures["portal_database_pool_wait_seconds_total"] > 0
    assert figures["portal_database_pool_timeouts_total"] == 0
    in_use, idle = (figures[f"portal_database_pool_connections[{s}]"] for s in ("in_use", "idle"))
    assert in_use + idle <= 2


def pool_figures(base):
    """The pool's figures in the metrics, once its worker has reported them (every
    portal.metrics.pool.REPORT_SECONDS): {name: value}, a labelled one as name[label]."""
    from portal.metrics.pool import REPORT_SECONDS

    deadline = time.monotonic() + 3 * REPORT_SECONDS
    while True:
        answer = requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
        )
        assert answer.status_code == 200
        figures = {
            sample.name + "".join(f"[{value}]" for value in sample.labels.values()): sample.value
            for family in text_string_to_metric_families(answer.text)
            if family.name.startswith("portal_database_pool")
            for sample in family.samples
        }
        if figures.get("portal_database_pool_waits_total") or time.monotonic() > deadline:
            return figures
        time.sleep(0.5)
