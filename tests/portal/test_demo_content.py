import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings

from wagtail.models import Page, Site

import pytest

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
    # Without an entry code: the web form, or a call staff entered (the demo's repeat cluster).
    assert (
        not Clue.objects.filter(entry_code="")
        .exclude(channel__in=[Clue.Channel.WEB, Clue.Channel.HOTLINE])
        .exists()
    )
    assert Clue.objects.filter(channel=Clue.Channel.HOTLINE).exists()
