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
