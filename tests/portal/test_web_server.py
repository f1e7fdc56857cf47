"""gunicorn as gunicorn.conf.py runs it: a client that sends slowly holds one thread of a
worker, never the worker (drills/slow_clients.py measures it with forty such clients)."""

import os
import socket
import subprocess
import sys
import time

from django.conf import settings

import pytest
import requests

from .test_settings import PRODUCTION_ENV

# Bounds a failure only: a healthy start answers within seconds.
START_SECONDS = 90


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def one_worker(tmp_path):
    """gunicorn with the shipped settings and a single worker; yields its address."""
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "portal.wsgi:application"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
