"""On PostgreSQL, the ledger refuses UPDATE and DELETE from any client, not only the ORM."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reporting_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reporting_ledgerentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reporting_ledger_append_only
BEFORE UPDATE OR DELETE ON reporting_ledgerentry
FOR EACH ROW EXECUTE FUNCTION reporting_ledger_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS reporting_ledger_append_only ON reporting_ledgerentry;
DROP FUNCTION IF EXISTS reporting_ledger_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_units_and_review")]

    operations = [migrations.RunPython(forwards, backwards)]
