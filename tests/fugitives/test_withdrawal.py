"""A status change and the scheduled withdrawal of a notice's personal details: the notice says
what happened at once and drops the reward and the sighting link; after the set days the photos
and identity details leave the page, its images, the sitemap, the search index and the feed,
and stay only in the revisions; the page cache never serves the old notice."""

import datetime
import xml.etree.ElementTree as ET

from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from wagtail.models import PageLogEntry

import pytest

from fugitives import services
from fugitives.demo import silhouette
from fugitives.models import NoticePage
from portal import registry
from tests.search.conftest import run_queued_tasks

from .conftest import english
from .forms import notice_form

pytestmark = pytest.mark.django_db

DAYS = 30
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def withdrawal_days(settings):
    settings.FUGITIVE_DETAILS_WITHDRAWAL_DAYS = DAYS


def sitemap(client):
    tree = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 (our own response)
    return {url.find("s:loc", NS).text for url in tree.findall("s:url", NS)}


def publish_status(admin_client, notice, status, **changes):
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[notice.pk]),
        notice_form(notice, status=status, action="publish", **changes),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return NoticePage.objects.get(pk=notice.pk)


def test_a_status_change_shows_at_once_through_the_page_cache(admin_client, demo):
    reader = Client()
    url = "/wanted/example-2026-01/"
    first = reader.get(url)
    assert first["Cache-Control"].startswith("public")
    assert "?notice=" in reader.get(url).content.decode()  # now answered from the cache

    notice = publish_status(admin_client, demo["wanted"], "caught")
    html = reader.get(url).content.decode()
    assert "notice-page__status" in html
    assert timezone.localdate().strftime("%Y-%m-%d") == notice.status_since.isoformat()
    assert "?notice=" not in html and "Report a sighting" not in html
    assert "提供线索直接抓获的" not in html  # the reward is withdrawn
    # The details stay until the withdrawal is due.
    assert "（示例）张某某" in html and f'alt="{notice.portrait_alt}"' in html


def test_details_are_withdrawn_only_once_the_days_have_passed(
    admin_client, demo, django_capture_on_commit_callbacks
):
    side = silhouette("side-view", (0, 0, 0))
    photo = {"image": side.pk, "alt": "侧面（示例剪影）", "caption": "", "ORDER": "1"}
    notice = publish_status(admin_client, demo["wanted"], "surrendered", photos=[photo])
    assert notice.photos.count() == 1
    translation = english(notice)
    translation.status, translation.status_since = "surrendered", notice.status_since
    translation.save_revision().publish()
    run_queued_tasks()
    reader = Client()
    assert "Moumou" in reader.get("/en/search/?q=Zhang").content.decode()
    assert reader.get("/wanted/example-2026-01/").status_code == 200  # renditions made
    old_files = [rendition.file.name for rendition in notice.portrait.renditions.all()]
    old_files += [notice.portrait.file.name, side.file.name]
    assert len(old_files) > 1

    day = datetime.datetime.combine(notice.status_since, datetime.time(12), datetime.UTC)
    assert services.withdraw_due_details(now=day + datetime.timedelta(days=DAYS - 1)) == 0
    assert reader.get("/wanted/example-2026-01/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.withdraw_due_details(now=day + datetime.timedelta(days=DAYS)) == 2
    run_queued_tasks()

    for url in ("/wanted/example-2026-01/", "/en/wanted/example-2026-01/"):
        response = reader.get(url)
        # Gone, with a short explanation, and nothing about the person.
        assert response.status_code == 410
        html = response.content.decode()
        assert "notice-page__status" in html and 'name="robots" content="noindex"' in html
        for detail in (
            "张某某",
            "Zhang",
            "990101",
            "体型偏瘦",
            "Slim build",
            "<img alt",
            "srcset",
        ):
            assert detail not in html, detail
    assert not any("example-2026-01" in url for url in sitemap(reader))
    assert "Moumou" not in reader.get("/en/search/?q=Zhang").content.decode()
    assert "example-2026-01" not in reader.get("/wanted/feed/rss/").content.decode()
    listing = reader.get("/wanted/").content.decode()
    assert "/wanted/example-2026-01/" in listing and "张某某" not in listing

    # The image no longer answers at any address a reader saw.
    notice.refresh_from_db()
    assert notice.portrait is None and notice.identity_number == "" and notice.person == ""
    assert notice.photos.count() == 0
    side.refresh_from_db()
    assert side.collection.name == services.COLLECTION_NAME
    assert not any(default_storage.exists(name) for name in old_files)
    # Logged, and the details kept in the earlier revisions.
    entry = PageLogEntry.objects.get(page=notice, action=services.LOG_ACTION)
    assert entry.data["status"] == "surrendered" and entry.data["days"] == DAYS
    earlier = notice.revisions.order_by("-created_at")[1]
    assert earlier.content["person"] == "（示例）张某某"
    history = admin_client.get(reverse("wagtailadmin_pages:history", args=[notice.pk]))
    # In the admin's language for this account (the site's default, Chinese).
    with override(settings.LANGUAGE_CODE):
        label = gettext("Personal details withdrawn from the notice")
    assert label in history.content.decode()
    # Running again finds nothing more to do.
    assert services.withdraw_due_details(now=day + datetime.timedelta(days=DAYS + 1)) == 0


def test_the_demo_ran_the_withdrawal_on_its_caught_notice(client, demo):
    caught = demo["caught"]
    assert caught.details_withdrawn
    response = client.get("/wanted/example-2025-07/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "李某某" not in html and "990201" not in html
    assert PageLogEntry.objects.filter(page=caught, action=services.LOG_ACTION).exists()
    assert client.get("/en/wanted/example-2025-07/").status_code == 410


def test_a_wanted_notice_is_never_withdrawn(demo):
    now = timezone.now() + datetime.timedelta(days=10 * DAYS)
    assert services.withdraw_due_details(now=now) == 0
    assert NoticePage.objects.filter(details_withdrawn_at=None, status="wanted").count() == 2


def test_the_worker_runs_the_withdrawal(demo):
    tasks = [task for task in registry.periodic_tasks() if task.name == "withdraw_due_details"]
    assert len(tasks) == 1
    notice = demo["wanted"]
    notice.status = "dead"
    notice.status_since = timezone.localdate() - datetime.timedelta(days=DAYS)
    notice.save_revision().publish()
    assert tasks[0].call() == 1
    notice.refresh_from_db()
    assert notice.details_withdrawn
