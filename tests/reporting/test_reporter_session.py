"""A reporter's session ends with the browser, and on the server with the unlock of the status
page: no cookie of the report pages outlives the browser, and no session row the unlock.
A staff member's session keeps its own rules, whatever pages the same browser opens."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

import pytest
from freezegun import freeze_time

from portal.sessions import ENDS_AT_KEY
from reporting.factories import ClueFactory
from reporting.intake.views.follow_up import UNLOCK_SECONDS, UNLOCK_SESSION_KEY
from reporting.jobs.schedule import purge_abandoned_staging

from .helpers import submit

pytestmark = pytest.mark.django_db

LOOKUP_PROMPT = "请输入回执上的跟踪编号和查询码"


def ends_with_the_browser(response, name):
    cookie = response.cookies[name]
    assert cookie.value
    assert not cookie["expires"]
    assert not cookie["max-age"]


def unlock(client, clue, **extra):
    return client.post(
        "/report/status/",
        {"tracking_number": clue.tracking_number, "access_key": clue.access_key},
        **extra,
    )


def session_row(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.fixture
def clue(site_tree):
    return ClueFactory()


def test_the_report_form_and_the_receipt_leave_no_lasting_cookie(client, report_page, valid_data):
    first = client.get("/report/")
    ends_with_the_browser(first, settings.CSRF_COOKIE_NAME)
    assert settings.SESSION_COOKIE_NAME not in first.cookies
    assert submit(client, report_page, valid_data).status_code == 302
    shown = client.get("/report/receipt/")
    assert shown.status_code == 200
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        if name in shown.cookies:
            ends_with_the_browser(shown, name)
    # The receipt's own cookie is deleted as the receipt is shown.
    assert shown.cookies["receipt"]["max-age"] == 0
    assert not Session.objects.exists()


def test_the_unlock_ends_with_the_browser_and_on_the_server_with_itself(client, clue):
    with freeze_time(timezone.now(), tick=False) as frozen:
        lookup = client.get("/report/status/")
        ends_with_the_browser(lookup, settings.CSRF_COOKIE_NAME)
        unlocked = unlock(client, clue)
        assert unlocked.status_code == 302
        ends_with_the_browser(unlocked, settings.SESSION_COOKIE_NAME)
        row = session_row(client)
        assert row.expire_date == timezone.now() + timedelta(seconds=UNLOCK_SECONDS)
        assert client.session[ENDS_AT_KEY] == client.session[UNLOCK_SESSION_KEY]["until"]

        # Answering a question writes the session (a message) without moving its end.
        frozen.tick(20 * 60)
        answered = client.post("/report/status/reply/", {"body": "还有一个人"}, follow=True)
        assert answered.status_code == 200
        assert session_row(client).expire_date == row.expire_date

        frozen.tick(10 * 60 + 1)
        assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
        assert LOOKUP_PROMPT in client.get("/report/status/").content.decode()
        purge_abandoned_staging.call()
        assert not Session.objects.filter(pk=row.pk).exists()


def test_leaving_the_report_deletes_its_session(client, clue):
    unlock(client, clue)
    row = session_row(client)
    left = client.post("/report/status/leave/")
    assert left.status_code == 302
    assert left.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert not Session.objects.filter(pk=row.pk).exists()
    assert LOOKUP_PROMPT in client.get("/report/status/", follow=True).content.decode()


def test_the_captcha_sets_no_cookie(client, report_page):
    html, _hidden = report_page()
    picture = re.search(r'src="(/captcha/image/[^"]+)"', html).group(1)
    response = client.get(picture)
    assert response.status_code == 200
    assert not response.cookies


def test_a_staff_session_is_not_shortened_by_a_report_opened_in_the_same_browser(client, clue):
    from portal.factories import SuperuserFactory

    with freeze_time(timezone.now(), tick=False) as frozen:
        client.force_login(SuperuserFactory())
        home = reverse("wagtailadmin_home")
        assert client.get(home).status_code == 200
        assert unlock(client, clue).status_code == 302
        row = session_row(client)
        assert row.expire_date == timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        assert client.session.get_expire_at_browser_close()

        for _step in range(3):  # 45 minutes at work, past the unlock's end
            frozen.tick(15 * 60)
            assert client.get(home).status_code == 200
        assert LOOKUP_PROMPT in client.get("/report/status/").content.decode()
        assert session_row(client).expire_date > timezone.now()
        assert "_auth_user_id" in client.session


def test_a_reporter_who_signs_in_afterwards_gets_the_staff_policy(client, clue):
    from portal.factories import SuperuserFactory

    with freeze_time(timezone.now(), tick=False) as frozen:
        unlock(client, clue)
        client.force_login(SuperuserFactory())
        home = reverse("wagtailadmin_home")
        for _step in range(3):  # 45 minutes at work, past the unlock's end
            frozen.tick(15 * 60)
            assert client.get(home).status_code == 200
        assert "_auth_user_id" in client.session


def test_a_receipt_left_in_a_session_by_an_earlier_release_ends_that_session(client, clue):
    from reporting.intake.views.report import RECEIPT_SESSION_KEY

    session = client.session
    session[RECEIPT_SESSION_KEY] = "an-old-token"
    session.set_expiry(settings.SESSION_COOKIE_AGE)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/report/receipt/")
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert not Session.objects.exists()
