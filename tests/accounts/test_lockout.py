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
def limits(settings):
    """Three limits told apart: an account at one client, an account from everywhere, one
    client for any accounts."""
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 7
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 5
    return settings


@pytest.fixture
def limit(limits):
    return limits.LOGIN_FAILURE_LIMIT


def signed_in(client):
    return "_auth_user_id" in client.session


def address(n):
    return f"192.0.2.{n}"


def failures(**where):
    return sum(
        AccessAttempt.objects.filter(**where).values_list("failures_since_start", flat=True)
    )


def test_an_account_is_locked_at_the_client_that_failed(browser, client, member, limit):
    for _attempt in range(limit - 1):
        assert sign_in(browser, "reviewer", password=WRONG, address=CLIENT).status_code == 200
    response = sign_in(browser, "reviewer", password=WRONG, address=CLIENT)
    assert response.status_code == 429
    # The right password, from the same client: still locked.
    response = sign_in(browser, "reviewer", address=CLIENT)
    assert response.status_code == 429
    assert not signed_in(browser)
    html = response.content.decode()
    assert "登录已锁定" in html and "Sign-in locked" in html  # both languages
    assert inline_scripts(html) == []
    # From another client the person signs in.
    assert sign_in(client, "reviewer", address=OTHER_CLIENT).status_code == 302
    assert signed_in(client)


def test_one_client_alone_cannot_lock_an_account_out_everywhere(browser, client, member, limits):
    for _attempt in range(limits.LOGIN_ACCOUNT_FAILURE_LIMIT * 3):
        sign_in(browser, "reviewer", password=WRONG, address=CLIENT)
    assert sign_in(browser, "reviewer", address=CLIENT).status_code == 429
    # Refused attempts were not counted: the client's count stopped at the limit.
    assert failures(username="reviewer") == limits.LOGIN_FAILURE_LIMIT
    assert sign_in(client, "reviewer", address=OTHER_CLIENT).status_code == 302
    assert signed_in(client)


def test_failures_from_many_clients_lock_an_account_everywhere(member, limits):
    below = limits.LOGIN_FAILURE_LIMIT - 1
    spread = []  # (client, failures), each client below its own limit
    remaining = limits.LOGIN_ACCOUNT_FAILURE_LIMIT - 1
    while remaining:
        spread.append((address(len(spread) + 1), min(below, remaining)))
        remaining -= spread[-1][1]
    for where, count in spread:
        for _attempt in range(count):
            sign_in(StaffClient(), "reviewer", password=WRONG, address=where)
    # One short of the account's limit: the person still signs in from a new place...
    assert sign_in(StaffClient(), "reviewer", address=address(100)).status_code == 302
    # ... and one more failure from yet another client locks the account everywhere.
    sign_in(StaffClient(), "reviewer", password=WRONG, address=address(101))
    for where in (address(102), OTHER_CLIENT):
        elsewhere = StaffClient()
        assert sign_in(elsewhere, "reviewer", address=where).status_code == 429
        assert not signed_in(elsewhere)


def test_a_client_trying_many_accounts_is_locked_for_every_account(browser, member, limits):
    others = [UserFactory(username=f"staff{n}") for n in range(limits.LOGIN_CLIENT_FAILURE_LIMIT)]
    for other in others[:-1]:  # one failure each: no account reaches its limits
        sign_in(browser, other.username, password=WRONG, address=CLIENT)
    assert sign_in(StaffClient(), "reviewer", address=CLIENT).status_code == 302
    sign_in(browser, others[-1].username, password=WRONG, address=CLIENT)
    response = sign_in(browser, "reviewer", address=CLIENT)
    assert response.status_code == 429
    assert not signed_in(browser)
    # The same account from elsewhere signs in.
    elsewhere = StaffClient()
    assert sign_in(elsewhere, "reviewer", address=OTHER_CLIENT).status_code == 302
    assert signed_in(elsewhere)


def test_a_success_clears_only_that_accounts_failures_at_that_client(browser, member, limit):
    UserFactory(username="colleague")
    for username, where in [
        ("reviewer", CLIENT),
        ("reviewer", OTHER_CLIENT),
        ("colleague", CLIENT),
    ]:
        sign_in(StaffClient(), username, password=WRONG, address=where)
    assert sign_in(browser, "reviewer", address=CLIENT).status_code == 302
    assert failures(username="reviewer") == 1  # the one from the other client
    assert failures(username="colleague") == 1


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
