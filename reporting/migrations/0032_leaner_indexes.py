"""Indexes a report no longer writes to.

A new clue wrote 17 index entries, 6 of them for nothing: plain indexes on columns that are
empty on a new clue and on most clues for good (its duplicate, the page it is about, when it
closed), plain indexes on columns that lead a composite index already (unit, cluster), and an
index for LIKE patterns on the form's token, which nothing searches by pattern. Its ledger
entry wrote two more for its empty actor and unit, and its receipt two for LIKE patterns and
a creation time nobody looks up. Columns are now indexed only where they hold a value
(partial indexes); the unique tokens are unique by constraint, which adds no LIKE index.

The state's operations are Django's; the database's are written out, because SQLite would
rebuild the clue table once per changed field, and the ledger's table too, which drops the
triggers that keep it append-only (migrations 0005 and 0018). On SQLite the tokens keep the
UNIQUE written into their table, and have no LIKE index to drop.

Each partial index is built in the migration's transaction by a scan of its whole table, and
reports wait while it runs: with years of clues, run it at a quiet hour.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# (table, column, the partial index that replaces its plain one, or None where a composite
# index beginning with the column serves its lookups).
PLAIN = [
    ("reporting_clue", "unit_id", None),  # clue_unit_pages
    ("reporting_clue", "cluster_id", None),  # clue_in_cluster
    ("reporting_clue", "duplicate_of_id", "clue_duplicates"),
    ("reporting_clue", "subject_id", "clue_about_page"),
    ("reporting_clue", "closed_at", "clue_closed_at"),
    ("reporting_ledgerentry", "actor_id", "ledger_by_actor"),
    ("reporting_ledgerentry", "unit_id", "ledger_by_unit"),
    ("reporting_receipthandoff", "created_at", None),  # ten minutes of rows, read whole
]
# (table, column, its unique constraint's new name): PostgreSQL named the old one
# <table>_<column>_key, and Django gave the column a LIKE index beside it.
UNIQUE = [
    ("reporting_clue", "submission_token", "clue_one_per_submission"),
    ("reporting_receipthandoff", "token_digest", "receipt_one_per_form"),
]


def forwards(apps, schema_editor):
    quote, index_name = schema_editor.quote_name, schema_editor._create_index_name
    for table, column, partial in PLAIN:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index_name(table, [column]))}")
        if partial:
            schema_editor.execute(
                f"CREATE INDEX {quote(partial)} ON {quote(table)} ({quote(column)}) "
                f"WHERE {quote(column)} IS NOT NULL"
            )
    if schema_editor.connection.vendor == "postgresql":
        for table, column, name in UNIQUE:
            like = index_name(table, [column], suffix="_like")
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(like)}")
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} RENAME CONSTRAINT "
                f"{quote(f'{table}_{column}_key')} TO {quote(name)}"
            )


def backwards(apps, schema_editor):
    quote, index_name = schema_editor.quote_name, schema_editor._create_index_name
    for table, column, partial in PLAIN:
        if partial:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(partial)}")
        plain = index_name(table, [column])
        schema_editor.execute(f"CREATE INDEX {quote(plain)} ON {quote(table)} ({quote(column)})")
    if schema_editor.connection.vendor == "postgresql":
        for table, column, name in UNIQUE:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(name)} "
                f"TO {quote(f'{table}_{column}_key')}"
            )
            like = index_name(table, [column], suffix="_like")
            schema_editor.execute(
                f"CREATE INDEX {quote(like)} ON {quote(table)} "
                f"({quote(column)} varchar_pattern_ops)"
            )


STATE = [
    migrations.AlterField(
        model_name="clue",
        name="closed_at",
        field=models.DateTimeField(blank=True, null=True, verbose_name="closed"),
    ),
    migrations.AlterField(
        model_name="clue",
        name="cluster",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            editable=False,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="cluster_members",
            to="reporting.clue",
            verbose_name="repeat cluster",
        ),
    ),
    migrations.AlterField(
        model_name="clue",
        name="duplicate_of",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="duplicates",
            to="reporting.clue",
            verbose_name="duplicate of",
        ),
    ),
    migrations.AlterField(
        model_name="clue",
        name="subject",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            editable=False,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="+",
            to=settings.WAGTAIL_PAGE_MODEL,
            verbose_name="about",
        ),
    ),
    migrations.AlterField(
        model_name="clue",
        name="submission_token",
        field=models.CharField(editable=False, max_length=64),
    ),
    migrations.AlterField(
        model_name="clue",
        name="unit",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="clues",
            to="reporting.unit",
            verbose_name="unit",
        ),
    ),
    migrations.AlterField(
        model_name="ledgerentry",
        name="actor",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
            verbose_name="by",
        ),
    ),
    migrations.AlterField(
        model_name="ledgerentry",
        name="unit",
        field=models.ForeignKey(
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="reporting.unit",
            verbose_name="unit",
        ),
    ),
    migrations.AlterField(
        model_name="receipthandoff",
        name="created_at",
        field=models.DateTimeField(default=django.utils.timezone.now),
    ),
    migrations.AlterField(
        model_name="receipthandoff",
        name="token_digest",
        field=models.CharField(max_length=64),
    ),
    migrations.AddIndex(
        model_name="clue",
        index=models.Index(
            condition=models.Q(("duplicate_of__isnull", False)),
            fields=["duplicate_of"],
            name="clue_duplicates",
        ),
    ),
    migrations.AddIndex(
        model_name="clue",
        index=models.Index(
            condition=models.Q(("subject__isnull", False)),
            fields=["subject"],
            name="clue_about_page",
        ),
    ),
    migrations.AddIndex(
        model_name="clue",
        index=models.Index(
            condition=models.Q(("closed_at__isnull", False)),
            fields=["closed_at"],
            name="clue_closed_at",
        ),
    ),
    migrations.AddIndex(
        model_name="ledgerentry",
        index=models.Index(
            condition=models.Q(("actor__isnull", False)), fields=["actor"], name="ledger_by_actor"
        ),
    ),
    migrations.AddIndex(
        model_name="ledgerentry",
        index=models.Index(
            condition=models.Q(("unit__isnull", False)), fields=["unit"], name="ledger_by_unit"
        ),
    ),
    migrations.AddConstraint(
        model_name="clue",
        constraint=models.UniqueConstraint(
            fields=("submission_token",), name="clue_one_per_submission"
        ),
    ),
    migrations.AddConstraint(
        model_name="receipthandoff",
        constraint=models.UniqueConstraint(fields=("token_digest",), name="receipt_one_per_form"),
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0031_captcha_unlogged"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=STATE,
            database_operations=[migrations.RunPython(forwards, backwards)],
        )
    ]
