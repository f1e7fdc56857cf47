"""Authenticators set up before their secrets were sealed lived in django-otp's TOTP plugin
table, keys in clear hex. They move here, sealed with the portal's keys, and the clear rows are
deleted. A database created since has no such table, and nothing to move."""

from datetime import UTC

from django.db import migrations
from django.utils.dateparse import parse_datetime

from portal.crypto import keyring

LEGACY_TABLE = "otp_totp_totpdevice"
COLUMNS = [
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
]
MOMENTS = {"throttling_failure_timestamp", "created_at", "last_used_at"}


def _moment(value):
    # SQLite gives the stored UTC time as text or a naive datetime; PostgreSQL an aware one.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def seal_legacy_secrets(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    Authenticator = apps.get_model("accounts", "Authenticator")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = ", ".join(quote(column) for column in COLUMNS)
        select = f"SELECT {names} FROM {quote(LEGACY_TABLE)} ORDER BY id"  # nosec B608 # noqa: S608  (constant names)
        cursor.execute(select)
        rows = cursor.fetchall()
    if rows:
        sealer = keyring()
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        secret = bytes.fromhex(values.pop("key"))
        for name in MOMENTS:
            values[name] = _moment(values[name])
        created_at = values.pop("created_at")
        device = Authenticator.objects.create(**values, sealed_secret=sealer.encrypt(secret))
        if created_at is not None:  # auto_now_add set it to now
            Authenticator.objects.filter(pk=device.pk).update(created_at=created_at)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(LEGACY_TABLE)}")  # nosec B608 # noqa: S608  (a constant name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_authenticator")]

    # No way back: it would write the secrets in clear again. Unapplying 0001 drops the
    # authenticators, and staff set up their phones again.
    operations = [migrations.RunPython(seal_legacy_secrets, migrations.RunPython.noop)]
