"""Failed sign-ins lock the account and the client; what is stored for the client is a keyed
hash, never its address."""

from django.db import connection
from django.test import override_settings
from django.urls import reverse

import pytest
from axes.models import AccessAttempt

from accounts.clients import client_pseudonym
from portal.factories import UserFactory
from tests.conftest import StaffClient

from .conftest import PASSWORD, inline_scripts, sign_in

pytestmark = pytest.mark.django_db

CLIENT, OTHER_CLIENT = "203.0.113.9", "198.51.100.44"
WRONG = "Wr0ng-guess-7719"


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def signed_in(client):
    return "_auth_user_id" in client.session


def test_an_account_is_locked_whichever_client_tries(browser, client, member, limit):
    for _attempt in range(limit):
        response = sign_in(browser, "reviewer", password=WRONG, address=CLIENT)
    assert response.status_code == 429
    # The right password, from another client: still locked.
    response = sign_in(client, "reviewer", address=OTHER_CLIENT)
    assert response.status_code == 429
    assert not signed_in(client)
    html = response.content.decode()
    assert "登录已锁定" in html and "Sign-in locked" in html  # both languages
    assert inline_scripts(html) == []


def test_a_client_is_locked_after_the_limit_whichever_account_it_tries(browser, member, limit):
    others = [UserFactory(username=f"staff{n}") for n in range(limit)]
    for other in others:  # one failure each: no account reaches the limit
        sign_in(browser, other.username, password=WRONG, address=CLIENT)
    response = sign_in(browser, "reviewer", address=CLIENT)
    assert response.status_code == 429
    assert not signed_in(browser)
    # The same account from elsewhere signs in.
    elsewhere = StaffClient()
    assert sign_in(elsewhere, "reviewer", address=OTHER_CLIENT).status_code == 302
    assert signed_in(elsewhere)


def test_failures_below_the_limit_are_forgotten_on_success(browser, member, limit):
    for _attempt in range(limit - 1):
        assert sign_in(browser, "reviewer", password=WRONG).status_code == 200
    assert sign_in(browser, "reviewer").status_code == 302
    assert not AccessAttempt.objects.filter(username="reviewer").exists()


def test_the_lockout_ends_after_the_cool_off(browser, member, limit):
    from datetime import timedelta

    from django.utils import timezone

    for _attempt in range(limit):
        sign_in(browser, "reviewer", password=WRONG)
    assert sign_in(browser, "reviewer").status_code == 429
    past = timezone.now() - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=past)
    assert sign_in(browser, "reviewer").status_code == 302


def all_stored_text():
    """Every value of every table, sessions decoded, as one string."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the schema)
            chunks.extend(str(row) for row in cursor.fetchall())
    for session in Session.objects.all():
        chunks.append(str(SessionStore().decode(session.session_data)))
    return "\n".join(chunks)


@override_settings(TRUSTED_PROXY_HOPS=1)
def test_no_client_address_is_stored_only_a_keyed_hash(browser, member, rf):
    proxy = "10.0.0.2"
    signed = StaffClient()
    sign_in(signed, "reviewer", address=proxy, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)
    assert "_auth_user_id" in signed.session
    sign_in(browser, "reviewer", password=WRONG, address=proxy, HTTP_X_FORWARDED_FOR=CLIENT)
    sign_in(browser, "nobody", password=WRONG, address=proxy, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)

    stored = all_stored_text()
    for address in (CLIENT, OTHER_CLIENT, proxy):
        assert address not in stored
    # The client behind the proxy, not the proxy, is what is counted: two clients, two keys.
    request = rf.post("/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=CLIENT)
    pseudonyms = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert client_pseudonym(request) in pseudonyms
    assert len(pseudonyms) == 2
    assert all(value.startswith("2001:db8:") for value in pseudonyms)
    # And the password is never kept.
    assert WRONG not in stored


def test_the_pseudonym_depends_on_the_secret_key(rf, settings):
    request = rf.get("/", REMOTE_ADDR=CLIENT)
    first = client_pseudonym(request)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert client_pseudonym(request) != first
    assert client_pseudonym(rf.get("/", REMOTE_ADDR=OTHER_CLIENT)) != client_pseudonym(request)


def test_odd_sign_in_input_is_refused_without_an_error(browser, member):
    for username in ["", "x" * 300, "reviewer\x00", "<script>", "reviewer' OR 1=1 --"]:
        response = browser.post(
            reverse("wagtailadmin_login"), {"username": username, "password": PASSWORD}
        )
        assert response.status_code in {200, 429}, username
        assert not signed_in(browser)
