"""Repeat clusters on each clue (set here from the related links already made), bulk jobs
for triage at volume, and the ledger's words for intake by staff: a reply slip, a caller's
follow-up, a clue marked key."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def set_clusters(apps, schema_editor):
    """Each group of clues joined by related links, through other clues too, gets its
    earliest clue as cluster, the same rule reporting/lifecycle/repeats.py keeps."""
    Clue = apps.get_model("reporting", "Clue")
    links = Clue.related.through.objects.values_list("from_clue_id", "to_clue_id")
    parent = {}

    def root(pk):
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for one, other in links.iterator():
        parent[root(one)] = root(other)
    groups = {}
    for pk in list(parent):
        groups.setdefault(root(pk), []).append(pk)
    for members in groups.values():
        lead = (
            Clue.objects.filter(pk__in=members)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        Clue.objects.filter(pk__in=members).update(cluster_id=lead)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0021_clue_channel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BulkJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("reject", "Do not accept"),
                            ("duplicate", "Mark as duplicates"),
                            ("transfer", "Transfer to a unit"),
                            ("mark_key", "Mark as key clues"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                ("arguments", models.JSONField(default=dict)),
                ("clue_ids", models.JSONField(default=list)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "waiting"),
                            ("running", "in progress"),
                            ("done", "finished"),
                            ("failed", "stopped by an error"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0, verbose_name="clues")),
                ("processed", models.PositiveIntegerField(default=0, verbose_name="processed")),
                ("succeeded", models.PositiveIntegerField(default=0, verbose_name="done")),
                ("refusals", models.JSONField(default=list)),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="asked for"
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
            ],
            options={
                "verbose_name": "bulk action",
                "verbose_name_plural": "bulk actions",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="clue",
            name="cluster",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cluster_members",
                to="reporting.clue",
                verbose_name="repeat cluster",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("submitted", "report received"),
                    ("staff_asked", "staff asked the reporter"),
                    ("reporter_replied", "reporter replied"),
                    ("reporter_added_evidence", "reporter added evidence"),
                    ("accepted", "accepted after screening"),
                    ("not_accepted", "not accepted"),
                    ("transferred", "transferred"),
                    ("acknowledged", "acknowledged by the unit"),
                    ("progress", "progress noted"),
                    ("conclusion_drafted", "conclusion drafted"),
                    ("signed", "conclusion signed"),
                    ("concluded", "conclusion stands"),
                    ("feedback", "feedback given to the reporter"),
                    ("closed", "closed"),
                    ("reopened", "reopened for look-back"),
                    ("reporter_revealed", "reporter's identity revealed"),
                    ("evidence_downloaded", "evidence downloaded"),
                    ("forwarded", "forwarded to the unit's system"),
                    ("forwarding_failed", "forwarding failed; supervisors told"),
                    ("overdue", "overdue"),
                    ("escalated", "escalated to the unit above"),
                    ("reported_again", "reported again after conclusion"),
                    ("exported", "exported in a list"),
                    ("reminded", "reminder sent"),
                    ("content_erased", "content erased after the retention period"),
                    ("viewed", "clue viewed by staff"),
                    ("key_marked", "marked as a key clue"),
                    ("reply_slip", "reply slip printed"),
                    ("follow_up_taken", "reporter's follow-up taken by staff"),
                ],
                max_length=40,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="clue",
            index=models.Index(
                condition=models.Q(("cluster__isnull", False)),
                fields=["cluster", "created_at"],
                name="clue_in_cluster",
            ),
        ),
        migrations.AddField(
            model_name="bulkjob",
            name="actor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        # Going back drops the field: nothing to undo before that.
        migrations.RunPython(set_clusters, migrations.RunPython.noop),
    ]
