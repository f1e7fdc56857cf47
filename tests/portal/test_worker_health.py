"""The worker's health check (manage.py check_worker, compose.yaml's worker service) against
the real Redis: it passes while this host's RQ worker beats, and fails once the worker has
stopped, when its heartbeat is old, and where there is no RQ worker to check."""

import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from django.core.management import CommandError, call_command

import pytest
import redis
from rq import Worker

from portal.management.commands.run_worker import host_of, worker_name
from tests.conftest import ROOT

# A Redis database of these tests alone: the worker registers itself there.
REDIS_URL = "redis://127.0.0.1:6379/12"


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")


def env(tmp_path):
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": "sqlite:///:memory:",
        "PORTAL_TEST_FILES_ROOT": str(tmp_path),
    }


def check_worker(tmp_path, *options):
    return subprocess.run(
        [sys.executable, "manage.py", "check_worker", *options],
        cwd=ROOT,
        env=env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def registered(connection):
    return [
        w for w in Worker.all(connection=connection) if host_of(w.name) == socket.gethostname()
    ]


def test_a_worker_name_leads_back_to_its_host():
    name = worker_name("web-1.internal")
    assert host_of(name) == "web-1.internal"
    assert name != worker_name("web-1.internal")  # a restarted worker gets a new name


def test_the_database_worker_has_no_heartbeat_to_check():
    with pytest.raises(CommandError, match="Only RQ workers"):
        call_command("check_worker")
    with pytest.raises(CommandError, match="at least 1 second"):
        call_command("check_worker", max_age=0)


@needs_redis
def test_the_check_follows_a_real_worker(tmp_path):
    connection = redis.Redis.from_url(REDIS_URL)
    assert registered(connection) == []
    before = check_worker(tmp_path)
    assert before.returncode == 1
    assert "No RQ worker of" in before.stderr

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-schedule"],
        cwd=ROOT,
        env=env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):  # until it has registered; a loaded machine takes its time
            if registered(connection) or worker.poll() is not None:
                break
            time.sleep(0.2)
        assert len(registered(connection)) == 1
        alive = check_worker(tmp_path)
        assert alive.returncode == 0, alive.stderr
        assert "heartbeat" in alive.stdout
    finally:
        worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown: it deregisters itself
        worker.wait(timeout=60)

    assert registered(connection) == []
    after = check_worker(tmp_path)
    assert after.returncode == 1
    assert "No RQ worker of" in after.stderr


@needs_redis
def test_an_old_heartbeat_fails_the_check(tmp_path):
    connection = redis.Redis.from_url(REDIS_URL)
    stuck = Worker(["default"], name=worker_name(), connection=connection)
    stuck.register_birth()
    try:
        old = datetime.now(UTC) - timedelta(minutes=10)
        connection.hset(stuck.key, "last_heartbeat", old.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        failed = check_worker(tmp_path)
        assert failed.returncode == 1
        assert re.search(r"last beat 60\d s ago \(limit 90 s\)", failed.stderr), failed.stderr
        assert check_worker(tmp_path, "--max-age", "900").returncode == 0
    finally:
        stuck.register_death()
        connection.delete(stuck.key)
        connection.srem("rq:workers", stuck.key)
