"""Authenticator secrets are sealed with the portal's keys: the database holds no secret, codes
still verify, rotation re-encrypts with the newest key, and a missing key is a clear error,
never a wrong code."""

import logging
from base64 import b32encode
from io import StringIO
from types import SimpleNamespace

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

import pytest
from cryptography.fernet import Fernet, InvalidToken

from accounts import twofactor
from accounts.models import Authenticator, SecretUnreadable

from .conftest import sign_in, totp

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = bytes(range(1, 21))
SECRET_B32 = b32encode(SECRET).decode()
VERIFY = "/admin/two-factor/verify/"


def stored_row(device):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_authenticator WHERE id = %s", [device.pk])
        return [
            bytes(value) if isinstance(value, memoryview) else value for value in cursor.fetchone()
        ]


def raw_sealed(device):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sealed_secret FROM accounts_authenticator WHERE id = %s", [device.pk]
        )
        return bytes(cursor.fetchone()[0])


def assert_no_secret_in(row, secret=SECRET):
    for value in row:
        data = value if isinstance(value, bytes) else str(value).encode()
        for form in (secret, secret.hex().encode(), b32encode(secret)):
            assert form not in data


def authenticator(user, secret=SECRET):
    return Authenticator.objects.create(user=user, name="phone", bin_key=secret, confirmed=True)


def test_the_database_holds_the_sealed_secret_only(member):
    device = authenticator(member)
    row = stored_row(device)
    assert_no_secret_in(row)
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(raw_sealed(device))
    assert Authenticator.objects.get(pk=device.pk).bin_key == SECRET


def test_a_new_authenticator_gets_a_random_sealed_secret(browser, member):
    sign_in(browser, "reviewer")
    page = browser.get("/admin/two-factor/enrol/").content.decode()
    device = Authenticator.objects.get(user=member)
    shown = twofactor.secret_for_typing(device)
    assert shown in page  # the person sees it once, to type into the app
    assert len(device.bin_key) == 20
    assert_no_secret_in(stored_row(device), device.bin_key)
    other = Authenticator.objects.create(user=member, name="second", confirmed=False)
    assert other.bin_key != device.bin_key


def test_codes_from_the_secret_verify_and_are_accepted_once(browser, member):
    authenticator(member)
    sign_in(browser, "reviewer")
    code = totp(SECRET_B32)
    assert browser.post(VERIFY, {"code": code}).status_code == 302
    assert twofactor.verify(member, code).device is None  # replayed


def test_rotation_re_encrypts_and_the_old_key_can_go(browser, member):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        device = authenticator(member)
        before = raw_sealed(device)
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW, OLD]):
        out = StringIO()
        call_command("rotate_totp_key", stdout=out)
        assert "Re-encrypted 1 authenticators' secrets" in out.getvalue()
    after = raw_sealed(device)
    assert after != before
    with pytest.raises(InvalidToken):
        Fernet(OLD.encode()).decrypt(after)
    assert Fernet(NEW.encode()).decrypt(after) == SECRET
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]):
        sign_in(browser, "reviewer")
        assert browser.post(VERIFY, {"code": totp(SECRET_B32)}).status_code == 302


def test_rotation_without_the_old_key_stops_with_a_clear_error(member):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        device = authenticator(member)
        before = raw_sealed(device)
    with (
        override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]),
        pytest.raises(CommandError, match="put the key it was encrypted with back"),
    ):
        call_command("rotate_totp_key", stdout=StringIO())
    assert raw_sealed(device) == before


def test_a_key_removed_too_early_is_told_not_taken_for_a_wrong_code(browser, member, caplog):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        device = authenticator(member)
    sign_in(browser, "reviewer")
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]), caplog.at_level(logging.ERROR):
        response = browser.post(VERIFY, {"code": totp(SECRET_B32)})
    assert response.status_code == 503
    [message] = response.context["form"].errors["code"]
    assert "administrator" in message or "管理员" in message
    assert "rotate_totp_key" in caplog.text
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # not counted as a wrong code
    # With the key back, the same person signs in: nothing was lost.
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW, OLD]):
        assert browser.post(VERIFY, {"code": totp(SECRET_B32)}).status_code == 302


def test_a_pending_authenticator_sealed_with_a_removed_key_is_made_again(browser, member):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        stale = Authenticator.objects.create(user=member, name="authenticator", confirmed=False)
    sign_in(browser, "reviewer")
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]):
        assert browser.get("/admin/two-factor/enrol/").status_code == 200
        fresh = Authenticator.objects.get(user=member)
        assert fresh.pk != stale.pk
        assert len(fresh.bin_key) == 20
    with pytest.raises(SecretUnreadable):
        stale.bin_key  # noqa: B018  (opening it is the check)


LEGACY_TABLE = """
CREATE TABLE otp_totp_totpdevice (
    id integer PRIMARY KEY, name varchar(64) NOT NULL, confirmed boolean NOT NULL,
    user_id bigint NOT NULL, key varchar(80) NOT NULL, step smallint NOT NULL,
    t0 bigint NOT NULL, digits smallint NOT NULL, tolerance smallint NOT NULL,
    drift smallint NOT NULL, last_t bigint NOT NULL, throttling_failure_timestamp {moment} NULL,
    throttling_failure_count integer NOT NULL, created_at {moment} NULL,
    last_used_at {moment} NULL
)
"""


def test_the_migration_seals_the_secrets_django_otp_kept_in_clear(browser, member):
    """A database from before: django-otp's plugin table with the key in hex."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0002_seal_legacy_totp_secrets")
    moment = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    created = timezone.now() - timezone.timedelta(days=40)
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_TABLE.format(moment=moment))
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES "
            "(7, 'phone', %s, %s, %s, 30, 0, 6, 1, 0, -1, NULL, 0, %s, NULL)",
            [True, member.pk, SECRET.hex(), created],
        )
    migration.seal_legacy_secrets(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0
    device = Authenticator.objects.get(user=member)
    assert (device.name, device.confirmed, device.last_t) == ("phone", True, -1)
    assert abs((device.created_at - created).total_seconds()) < 1
    assert_no_secret_in(stored_row(device))
    sign_in(browser, "reviewer")
    assert browser.post(VERIFY, {"code": totp(SECRET_B32)}).status_code == 302
    # Run again (a second deploy): nothing left to move.
    migration.seal_legacy_secrets(apps, SimpleNamespace(connection=connection))
    assert Authenticator.objects.filter(user=member).count() == 1
