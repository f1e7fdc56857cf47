"""The English name of the 套路贷 category said "Routine loans", which reads as ordinary
lending. A category still carrying the seeded wording gets the corrected one; a name staff have
edited is left as they wrote it."""

from django.db import migrations

OLD = "Routine loans, illegal lending, violent debt collection"
NEW = "'Routine loan' fraud, illegal lending, violent debt collection"


def rename(apps, schema_editor, old=OLD, new=NEW):
    apps.get_model("reporting", "Category").objects.filter(name_en=old).update(name_en=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0019_ledger_records_views")]

    operations = [migrations.RunPython(rename, rename_back)]
