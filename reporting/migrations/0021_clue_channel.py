"""Every clue names the channel it came through. Until now only the public form made clues:
one that carries a poster's entry code came through its QR code, every other one through the
web form."""

from django.db import migrations, models


def set_channels(apps, schema_editor):
    Clue = apps.get_model("reporting", "Clue")
    # The field's default made every clue a web clue: only the poster clues are rewritten,
    # in one statement whatever their number.
    Clue.objects.exclude(entry_code="").update(channel="poster")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0020_routine_loan_fraud_in_english")]

    operations = [
        migrations.AddField(
            model_name="clue",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "web form"),
                    ("poster", "QR poster"),
                    ("hotline", "12337 hotline"),
                    ("letter", "letter"),
                    ("visit", "visit"),
                    ("referral", "referral"),
                ],
                default="web",
                db_default="web",
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.AddField(
            model_name="clue",
            name="referring_body",
            field=models.CharField(
                blank=True, db_default="", max_length=200, verbose_name="referring body"
            ),
        ),
        # Going back drops the field: nothing to undo before that.
        migrations.RunPython(set_channels, migrations.RunPython.noop),
    ]
