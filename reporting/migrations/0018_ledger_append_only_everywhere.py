"""The ledger refuses to be emptied or rewritten by any client on both databases.

PostgreSQL: 0005's row trigger never sees TRUNCATE, and a session in replica mode
(session_replication_role) skips ordinary triggers; a statement trigger now refuses TRUNCATE,
cascaded ones included, and both fire in every mode (ENABLE ALWAYS). Only the table's owner
can still switch them off, which is why the application should not connect as that owner.

SQLite: the same refusals as triggers of its own. It has no TRUNCATE: a DELETE without WHERE
runs the DELETE trigger (SQLite skips its quick emptying of a table that has triggers).
"""

from django.db import migrations

TABLE = "reporting_ledgerentry"

POSTGRESQL = [
    # The function 0005 created names the refused operation: TG_OP is 'TRUNCATE' here.
    f"""
    CREATE TRIGGER reporting_ledger_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_ledger_refuse_change()
    """,
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER reporting_ledger_append_only",
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER reporting_ledger_no_truncate",
]

POSTGRESQL_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS reporting_ledger_no_truncate ON {TABLE}",
    f"ALTER TABLE {TABLE} ENABLE TRIGGER reporting_ledger_append_only",
]

SQLITE = [
    f"""
    CREATE TRIGGER reporting_ledger_no_{operation.lower()}
    BEFORE {operation} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only ({operation} refused)');
    END
    """
    for operation in ("UPDATE", "DELETE")
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS reporting_ledger_no_update",
    "DROP TRIGGER IF EXISTS reporting_ledger_no_delete",
]


def _run(schema_editor, statements):
    # One statement per call: SQLite's driver refuses several at once.
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def backwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0017_clue_follow_up_pending")]

    operations = [migrations.RunPython(forwards, backwards)]
