from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Page

import pytest

from content.factories import HomePageFactory
from portal.management.commands import run_worker


def scheduled_page(site_tree):
    """A page whose go-live time was approved for the future, and which has now passed."""
    page = HomePageFactory(parent=site_tree["home"], slug="soon", title="Soon", live=False)
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live and revision.approved_go_live_at
    # The hour passes: the approved time, and the time the revision itself carries, are now past.
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    Page.objects.filter(pk=page.pk).update(go_live_at=past)
    return page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_schedule_publishes_pages_whose_time_has_come(site_tree):
    page = scheduled_page(site_tree)

    run_worker.queue_periodic_checks()
    call_command("run_worker", "--batch", stdout=StringIO(), stderr=StringIO(), verbosity=0)

    page.refresh_from_db()
    assert page.live


class FakeCheck:
    def __init__(self, name, fails=False):
        self.name, self.fails, self.queued = name, fails, 0

    def enqueue(self):
        if self.fails:
            raise ConnectionError("queue down")
        self.queued += 1


def test_a_queue_outage_for_one_check_does_not_stop_the_others(monkeypatch, caplog):
    from portal import tasks as portal_tasks
    from reporting.jobs import schedule

    broken, publish = FakeCheck("clues", fails=True), FakeCheck("publish")
    monkeypatch.setattr(schedule, "run_periodic_checks", broken)
    monkeypatch.setattr(portal_tasks, "publish_scheduled_pages", publish)
    run_worker.queue_periodic_checks()
    assert publish.queued == 1
    assert "could not queue the periodic check clues" in caplog.text
