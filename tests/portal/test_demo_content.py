import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from wagtail.models import Page, ReferenceIndex, Site
from wagtail.tasks import update_reference_index_task

import pytest
from django_tasks_db.models import DBTaskResult
from modelsearch.tasks import insert_or_update_object_task

from content.models import HomePage
from portal.models import PortalSettings


def load():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    match = re.search(r"user: (\S+)\s+password: (\S+)", out.getvalue())
    assert match, out.getvalue()
    return match.groups()


@pytest.mark.django_db
def test_demo_content_gives_a_working_admin_login(client):
    username, password = load()
    assert len(password) >= 16
    assert client.login(username=username, password=password)


@pytest.mark.django_db
def test_demo_content_is_idempotent_and_never_reuses_a_password(client):
    first_user, first_password = load()
    pages = list(Page.objects.order_by("path").values_list("path", "slug", "locale_id"))
    second_user, second_password = load()
    assert list(Page.objects.order_by("path").values_list("path", "slug", "locale_id")) == pages
    assert first_password != second_password
    assert not client.login(username=first_user, password=first_password)
    assert client.login(username=second_user, password=second_password)
    assert Site.objects.count() == 1
    assert PortalSettings.objects.count() == 1


@pytest.mark.django_db
def test_demo_content_replaces_the_wagtail_welcome_page_and_keeps_edits():
    load()
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    assert {p.locale.language_code for p in HomePage.objects.live()} == {"zh-hans", "en"}

    home.title = "编辑改过的标题"
    home.save_revision().publish()
    load()
    assert Site.objects.get(is_default_site=True).root_page.title == "编辑改过的标题"


@pytest.mark.django_db
def test_demo_content_refuses_production_settings():
    with (
        override_settings(SETTINGS_MODULE="portal.settings.production"),
        pytest.raises(CommandError, match="Refusing to load demo content"),
    ):
        call_command("load_demo_content", stdout=StringIO())
    assert not HomePage.objects.exists()


@pytest.mark.django_db
def test_demo_report_receipt_opens_the_status_page(client):
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    match = re.search(r"tracking number: ([\d ]+?)\s+access key: (\S+)", out.getvalue())
    assert match, out.getvalue()
    number, key = match.groups()
    response = client.post(
        "/report/status/", {"tracking_number": number, "access_key": key}, follow=True
    )
    html = response.content.decode()
    assert "请问上门的人是否开车" in html
    from reporting.demo import DEMO_TOKEN
    from reporting.models import Clue

    before = Clue.objects.count()
    call_command("load_demo_content", stdout=StringIO())
    assert Clue.objects.count() == before
    assert Clue.objects.filter(submission_token=DEMO_TOKEN).count() == 1


@pytest.mark.django_db
def test_the_demo_s_statistics_are_stored_at_once(client):
    from django.contrib.auth import get_user_model

    from reporting.models import StatisticsSnapshot

    username, _password = load()
    assert StatisticsSnapshot.objects.filter(unit__depth=1).exists()
    # A newcomer's first visit reads them, and the page says so.
    client.force_login(get_user_model().objects.get(username=username))
    html = client.get("/admin/reporting/statistics/").content.decode()
    assert "数据截至" in html


@pytest.mark.django_db
def test_the_demo_s_clues_name_their_channel():
    """Poster clues where they carry an entry code, so the queue's channel filter finds some."""
    from reporting.models import Clue

    load()
    assert Clue.objects.filter(channel=Clue.Channel.POSTER).exists()
    assert not Clue.objects.exclude(entry_code="").exclude(channel=Clue.Channel.POSTER).exists()
    # Without a code: sent with the web form, or taken by staff (phone, letter, visit,
    # referral); never a poster's.
    assert not Clue.objects.filter(entry_code="", channel=Clue.Channel.POSTER).exists()
    assert Clue.objects.filter(entry_code="", channel=Clue.Channel.WEB).exists()


@pytest.mark.django_db
def test_the_demo_s_staff_entered_clues_and_reply_slip(client, tmp_path):
    """A clue of each channel staff enter, by the demo's intake reviewer; the hotline one's
    receipt opens the status page, and its reply slip lies beside the demo logins."""
    from pypdf import PdfReader

    from reporting import demo
    from reporting.models import Clue, LedgerEntry

    out = StringIO()
    call_command("load_demo_content", stdout=out)
    staff_channels = ("hotline", "letter", "visit", "referral")
    entered = Clue.objects.filter(channel__in=staff_channels)
    # One of each, and the call among the demo's repeat cluster.
    assert sorted(entered.values_list("channel", flat=True)) == sorted(
        [*staff_channels, "hotline"]
    )
    for clue in entered:
        submitted = clue.ledger.get(action=LedgerEntry.Action.SUBMITTED)
        assert submitted.actor.username == "intake-hebei"
    assert entered.get(channel="letter").evidence.count() == 1
    assert entered.get(channel="referral").referring_body.startswith("唐山市纪委监委")
    assert entered.get(channel="visit").reporter_sealed is not None

    match = re.search(
        r"hotline clue.*?tracking number: ([\d ]+?)\s+access key: (\S+)\s+reply slip: (\S+)",
        out.getvalue(),
    )
    assert match, out.getvalue()
    number, key, slip = match.groups()
    assert slip.endswith("var/demo-reply-slip.pdf")
    response = client.post(
        "/report/status/", {"tracking_number": number, "access_key": key}, follow=True
    )
    assert "已收到" in response.content.decode()

    # Run again (here into a folder of the test's own): the same clues, a new key, its slip.
    people = {user.username: user for user in get_user_model().objects.all()}
    with override_settings(VAR_DIR=tmp_path):
        number, key, slip = demo.demo_staff_intake(people)
    assert slip == tmp_path / "demo-reply-slip.pdf"
    text = PdfReader(slip).pages[0].extract_text()
    assert number.replace(" ", "") in "".join(text.split())
    assert Clue.objects.filter(channel__in=staff_channels).count() == 5


@pytest.mark.django_db
def test_the_demo_queues_no_index_updates_and_builds_both_indexes(client):
    """Every page the demo saves would queue its own search and reference index updates;
    the command builds both indexes whole instead, so the worker has none of them to run."""
    load()
    index_updates = {
        insert_or_update_object_task.module_path,
        update_reference_index_task.module_path,
    }
    assert not DBTaskResult.objects.filter(task_path__in=index_updates).exists()
    assert ReferenceIndex.objects.exists()  # the admin's "used by" counts
    found = client.get(reverse("search:search"), {"q": "举报"}).context["page_obj"]
    assert found.paginator.count > 0
    # Content saved after the demo is indexed by the worker as before.
    home = Site.objects.get(is_default_site=True).root_page.specific
    home.save_revision().publish()
    queued = DBTaskResult.objects.filter(task_path__in=index_updates)
    assert set(queued.values_list("task_path", flat=True)) == index_updates
