"""Staff sessions end after inactivity and at browser close; a reporter's session is left to
its own rules."""

import time

from django.test import override_settings
from django.urls import reverse

import pytest

from accounts.sessions import LAST_ACTIVITY_KEY

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def idle_for(client, minutes):
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - minutes * 60
    session.save()


@override_settings(STAFF_SESSION_IDLE_MINUTES=30)
def test_a_staff_session_ends_after_the_idle_time(client, member):
    client.force_login(member)
    home = reverse("wagtailadmin_home")
    assert client.get(home).status_code == 200

    idle_for(client, 29)
    assert client.get(home).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5 * 60  # the request counted

    idle_for(client, 31)
    response = client.get(home, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(home).status_code == 302


@override_settings(STAFF_SESSION_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting(client, member):
    client.force_login(member)
    idle_for(client, 6)
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_session_without_a_record_of_activity_is_ended(client, member):
    client.force_login(member)
    session = client.session
    del session[LAST_ACTIVITY_KEY]
    session.save()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_editors_background_ping_does_not_keep_a_session_alive(client, member):
    from accounts.middleware import BACKGROUND_VIEWS

    client.force_login(member)
    idle_for(client, 10)
    before = client.session[LAST_ACTIVITY_KEY]
    client.post(
        reverse("wagtailadmin_editing_sessions:ping", args=["wagtailcore", "page", "1", 0])
    )
    assert "wagtailadmin_editing_sessions:ping" in BACKGROUND_VIEWS
    assert client.session[LAST_ACTIVITY_KEY] == before


def test_the_session_cookie_ends_with_the_browser(browser, member):
    response = sign_in(browser, "reviewer", remember="on")
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert not cookie["expires"] and not cookie["max-age"]
    assert browser.session.get_expire_at_browser_close()


def test_a_reporters_unlocked_status_page_is_not_touched(site_tree, client):
    import reporting.demo
    from reporting.intake.views.follow_up import UNLOCK_SESSION_KEY
    from tests.reporting.test_workflow import new_clue

    reporting.demo.load()
    clue = new_clue()
    session = client.session
    session[UNLOCK_SESSION_KEY] = {"clue": clue.pk, "until": time.time() + 25 * 60}
    session.save()
    response = client.get(reverse("reporting:status"))
    assert response.status_code == 200
    assert UNLOCK_SESSION_KEY in client.session
    assert LAST_ACTIVITY_KEY not in client.session
    assert "_session_expiry" not in client.session  # its cookie's lifetime is left as it was


def test_a_visitor_without_a_session_is_not_made_to_vary_by_cookie(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
    assert "sessionid" not in response.cookies
