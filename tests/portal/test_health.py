import json
import shutil
from pathlib import Path

import pytest

READYZ = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/readyz/'); print(r.status_code); print(r.content.decode())"
)


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django raises on any database access in this test.
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_every_check(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "task_queue": "ok",
        "evidence_storage": "ok",
    }


@pytest.mark.django_db
def test_readyz_says_degraded_when_evidence_cannot_be_written(client, settings):
    """Found by drills/storage_full.py: a full evidence disk went unreported."""
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    shutil.rmtree(private, ignore_errors=True)
    private.write_bytes(b"")  # a file where the folder should be: every write fails
    try:
        response = client.get("/readyz/")
    finally:
        private.unlink()
    assert response.status_code == 200  # pages and text-only reports still work
    body = response.json()
    assert body["status"] == "degraded"
    assert body["reason"] == "evidence storage full or not writable"
    assert body["checks"]["evidence_storage"] == "failed"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_says_degraded_when_the_largest_file_would_not_fit(client, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 10**18  # more than any disk here has free
    body = client.get("/readyz/").json()
    assert body["status"] == "degraded"
    assert body["checks"]["evidence_storage"] == "failed"


def test_readyz_refuses_writes(client):
    assert client.post("/readyz/").status_code == 405


def _readyz(run_django, database_url):
    result = run_django(READYZ, {"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    return int(status), json.loads(body)


def test_readyz_is_503_when_the_database_is_unreachable(run_django):
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    status, body = _readyz(run_django, "postgres://postgres@127.0.0.1:1/portal")
    assert status == 503
    assert body["reason"] == "database unreachable"
    assert body["checks"] == {
        "database": "failed",
        "migrations": "skipped",
        "task_queue": "skipped",
        "evidence_storage": "skipped",
    }


def test_readyz_is_503_when_migrations_are_pending(run_django, tmp_path):
    status, body = _readyz(run_django, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert status == 503
    assert body["reason"].startswith("migrations not applied: ")
    assert body["checks"]["database"] == "ok"


def test_probes_answer_any_host_over_plain_http(run_django):
    """A probe by container address must not be refused by ALLOWED_HOSTS or redirected."""
    result = run_django(
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='10.0.0.7:8000').get('/healthz/'); print(r.status_code)",
        {
            "SECRET_KEY": "probe-check-k3y-with-enough-variety-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "portal.example.org",
            "PORTAL_BASE_URL": "https://portal.example.org",
            "REPORTER_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY=",
        },
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200"


def test_readyz_is_503_when_the_redis_queue_is_unreachable(run_django, tmp_path):
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs a migrated database of its own; covered by the SQLite run")
    # Port 1 on loopback: nothing listens, so Redis is refused at once.
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ready.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    # The process has found every migration applied once before (as a process that has
    # served for a while has): a full migrate of its own database would take half a minute.
    status, body = _readyz_env(
        run_django,
        env,
        before="import portal.health; portal.health._migrations_known_applied = True; ",
    )
    assert status == 503
    assert body["reason"] == "task queue unreachable"
    assert body["checks"]["database"] == "ok"


def _readyz_env(run_django, env, before=""):
    result = run_django(READYZ.replace("django.setup(); ", f"django.setup(); {before}"), env)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    return int(status), json.loads(body)
