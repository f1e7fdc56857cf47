from io import StringIO

from django.core.management import call_command
from django.test import override_settings

import pytest
from django_tasks_db.models import DBTaskResult

from portal.checks import private_media_is_not_public


def test_private_media_inside_public_media_is_an_error(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path, PRIVATE_MEDIA_ROOT=tmp_path / "evidence"):
        errors = private_media_is_not_public(None)
    assert [error.id for error in errors] == ["portal.E001"]


def test_separate_private_media_passes(tmp_path):
    with override_settings(
        MEDIA_ROOT=tmp_path / "media",
        PRIVATE_MEDIA_ROOT=tmp_path / "private",
        STATIC_ROOT=tmp_path / "static",
    ):
        assert private_media_is_not_public(None) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_tasks_the_site_enqueues(site_tree):
    """Publishing a page makes Wagtail enqueue reference-index updates on the task queue;
    the worker command must pick them up and run them to success."""
    home = site_tree["home"]
    home.lead = "更新后的导语"
    home.save_revision().publish()
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.exists()

    call_command("run_worker", "--batch", stdout=StringIO(), stderr=StringIO(), verbosity=0)

    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_with_redis_the_worker_is_rq_and_runs_tasks(run_django, tmp_path):
    """The scale-out path: REDIS_URL switches the queue to RQ, and run_worker works it."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("needs a database of its own; covered by the SQLite run")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    code = """
import django; django.setup()
from django.core.management import call_command
import django_rq
django_rq.get_connection("default").flushdb()
call_command("migrate", verbosity=0)
from portal import queue
from reporting.jobs.schedule import purge_abandoned_staging
result = purge_abandoned_staging.enqueue()
call_command("run_worker", "--batch", verbosity=0)
result.refresh()
print(queue.backend_kind(), result.status, result.return_value)
"""
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "rq SUCCESSFUL 0"
