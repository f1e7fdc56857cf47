from django.db import migrations

TABLE = "captcha_captchastore"


def persistence(setting):
    """ALTER TABLE … SET UNLOGGED or LOGGED on PostgreSQL; other databases have no such thing."""

    def alter(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quoted = schema_editor.quote_name(TABLE)
            schema_editor.execute(f"ALTER TABLE {quoted} SET {setting}")

    return alter


class Migration(migrations.Migration):
    """The captcha's challenges matter for minutes: kept out of PostgreSQL's write-ahead log,
    a challenge written with the form and its check commit without waiting for the disk, one
    statement each. A crash empties the table (a reporter is asked another picture, with what
    they typed kept), and a standby has none of them (docs/deployment.md)."""

    dependencies = [
        ("reporting", "0030_statistics_pending"),
        ("captcha", "0002_alter_captchastore_id"),
    ]

    operations = [
        migrations.RunPython(persistence("UNLOGGED"), persistence("LOGGED")),
    ]
