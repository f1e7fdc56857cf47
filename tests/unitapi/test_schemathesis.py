"""The units' API tested by a client no one here wrote: Schemathesis reads the schema the
running portal serves and sends what it allows (and what it does not), against a real
gunicorn on 127.0.0.1 with a test key, checking that nothing fails with a 5xx, that every
answer matches the schema and that every status code is documented.

The server reads this test's own database: PostgreSQL's test database as it is, SQLite's
(in memory) copied to a file first."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

import pytest
import requests

from reporting.factories import clue_at
from reporting.models import Clue
from unitapi.models import ApiKey

from .conftest import ALL_SCOPES

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 90  # bounds a failure only: a healthy start answers within seconds
# A bounded run: a few dozen cases per operation keeps it well under a minute.
MAX_EXAMPLES = 25


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path):
    if connection.vendor == "sqlite":
        copy = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


# Committed, so the server's connection sees it; serialized_rollback, as every such test of
# the suite, so the reference data is put back for the tests after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _revoke(database_url, row):
    """Revoked as the admin does, in the database the server reads (SQLite: its copy)."""
    if database_url.startswith("sqlite:"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute(
                "UPDATE unitapi_apikey SET revoked_at = ? WHERE id = ?",
                [timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f"), row.pk],
            )
    else:
        row.revoke(None)


@contextmanager
def _serving(tmp_path, **settings_env):
    """gunicorn (2 workers) over this test's database, with these settings in its
    environment; yields (base URL, its log)."""
    port = _free_port()
    database_url = _database_url(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        # The test settings: static files without a manifest, so the portal's own error pages
        # (a NUL refused with 400) render without collectstatic.
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        # The evidence files this process wrote.
        "PORTAL_TEST_FILES_ROOT": str(settings.TEST_FILES_ROOT),
        "LOG_LEVEL": "ERROR",
        **settings_env,
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
             "portal.wsgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert server.poll() is None, log.read_text()[-3000:]
            try:
                requests.get(f"{base}/api/units/v1/openapi.json", timeout=10).raise_for_status()
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
        yield base, log, database_url
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.fixture
def served(tmp_path):
    """A few clues of one unit and its key, and gunicorn serving them; yields (base, key)."""
    clue = clue_at(Clue.Status.TRANSFERRED, named=True, photos=1)
    clue_at(Clue.Status.ACKNOWLEDGED, to_unit=clue.unit)
    clue_at(Clue.Status.TRANSFERRED, region="130102")
    row, key = ApiKey.issue(unit=clue.unit, name="schemathesis", scopes=ALL_SCOPES)
    # Schemathesis sends thousands of calls a minute: the limit has tests of its own.
    with _serving(tmp_path, UNIT_API_REQUESTS_PER_MINUTE="100000000") as (base, log, database):
        yield base, key, log, lambda: _revoke(database, row)


def test_schemathesis_finds_nothing_wrong(served, tmp_path):
    base, key, log, _revoke = served
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [str(schemathesis), "run", f"{base}/api/units/v1/openapi.json",
         "--header", f"Authorization: Bearer {key}",
         # Every check but one: positive_data_acceptance expects any string the schema allows
         # as a cursor to be accepted, and an opaque cursor is a string only the API makes.
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", str(MAX_EXAMPLES), "--seed", "20261206",
         # One worker: with two, its threads parse Python source at once (hypothesis
         # describing its filters), which CPython 3.11's ast module is not safe for ("AST
         # constructor recursion depth mismatch", now and then).
         "--workers", "1", "--no-color", "--generation-database", "none",
         "--request-timeout", "30"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (tmp_path / "schemathesis.out").write_text(result.stdout)
    said = result.stdout[-8000:] + result.stderr[-2000:] + log.read_text()[-2000:]
    assert result.returncode == 0, said
    # It reached every operation.
    assert "Tested: 11" in result.stdout, said


def test_the_unit_client_script_lists_shows_and_acts_on_the_units_clues(served):
    base, key, _log, revoke = served
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unit_client.py"), "--base", base],
        env={**os.environ, "UNIT_API_KEY": key}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 clue(s) with the unit" in result.stdout
    assert "evidence" in result.stdout and "what happened" in result.stdout
    refused = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unit_client.py"), "--base", base],
        env={**os.environ, "UNIT_API_KEY": key + "x"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1 and "401 unauthenticated" in refused.stderr

    # The round a newcomer runs: the clue waiting for acknowledgement is acknowledged and
    # given a note, each with its version and a new Idempotency-Key.
    loop = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unit_client.py"), "--base", base, "loop"],
        env={**os.environ, "UNIT_API_KEY": key}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert loop.returncode == 0, loop.stderr
    assert "Receipt of the clue acknowledged. (now acknowledged)" in loop.stdout
    assert "Progress recorded. (now verifying)" in loop.stdout
    assert "No clue waits for acknowledgement." in subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unit_client.py"), "--base", base, "loop"],
        env={**os.environ, "UNIT_API_KEY": key}, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip

    # Revoked while the server runs: refused at once by every worker, without a restart.
    revoke()
    headers = {"Authorization": f"Bearer {key}"}
    answers = [
        requests.get(f"{base}/api/units/v1/clues", headers=headers, timeout=30) for _ in range(8)
    ]
    assert {answer.status_code for answer in answers} == {401}


def test_the_rate_limit_is_one_count_for_every_worker_through_redis(tmp_path):
    """With REDIS_URL, both workers count a key's calls in one place: a limit of 6 a minute
    lets 6 through in all, not 6 per worker."""
    clue = clue_at(Clue.Status.TRANSFERRED)
    _row, key = ApiKey.issue(unit=clue.unit, name="limited", scopes=ALL_SCOPES)
    limit, calls = 6, 12
    with _serving(
        tmp_path, REDIS_URL="redis://127.0.0.1:6379/13", UNIT_API_REQUESTS_PER_MINUTE=str(limit)
    ) as (base, log, _database):
        # The count is per minute: not started in a minute's last seconds, so that all the
        # calls fall in one minute.
        if time.time() % 60 > 50:
            time.sleep(61 - time.time() % 60)
        headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
        # A new connection each, so that both workers take calls.
        answers = [
            requests.get(f"{base}/api/units/v1/clues", headers=headers, timeout=30)
            for _ in range(calls)
        ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * limit + [429] * (calls - limit), log.read_text()[-2000:]
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
