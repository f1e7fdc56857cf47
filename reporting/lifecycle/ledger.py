"""The supervision ledger (台账): every change to a clue, every access and export, appended
here and mirrored to Wagtail's audit log."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

from reporting import statistics_facts
from reporting.models import LedgerEntry, Unit


def record(
    clue,
    action,
    *,
    actor=None,
    note="",
    at=None,
    unit=None,
    from_status="",
    to_status="",
    mirror=True,
):
    """Append to the clue's ledger, and mirror the entry to Wagtail's audit log (unless the
    caller mirrors it later: a new clue's follow-up does). Every change to a clue goes
    through here."""
    entry = LedgerEntry.objects.create(
        clue=clue,
        action=action,
        actor=actor,
        note=note,
        at=at or timezone.now(),
        unit=unit,
        from_status=from_status,
        to_status=to_status,
    )
    # The figures it moves, in the same transaction: written after the change it records.
    statistics_facts.after_ledger([entry])
    if mirror:
        mirror_to_audit_log(entry, clue)
    return entry


def mirror_to_audit_log(entry, clue, unit=None):
    """Wagtail's audit log gets every ledger entry, filed under the unit, not the clue: the
    site history shows entries to everyone who may view their object, and a clue's
    tracking number must not reach staff outside its scope. Only administrators see units."""
    unit = unit or entry.unit or clue.unit or Unit.get_first_root_node()
    if unit is not None:
        mirror_many([entry], unit=unit)


def mirror_many(entries, unit=None):
    """mirror_to_audit_log for many entries (their clues loaded), in one insert."""
    root = None
    rows = []
    context = get_active_log_context()
    for entry in entries:
        target = unit or entry.unit or entry.clue.unit
        if target is None:
            root = root or Unit.get_first_root_node()
            target = root
        if target is None:
            continue
        model = log_registry.get_log_model_for_instance(target)
        if model is None:
            continue
        # The entry wagtail.log_actions.log() writes, written without its save(): that runs
        # full_clean(), whose checks read the content type and the user again, a query each
        # on every report, for rows just read; the action is one registered in
        # wagtail_hooks.
        rows.append(
            model(
                content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
                object_id=str(target.pk),
                label=model.objects.get_instance_title(target),
                action=f"reporting.{entry.action}",
                timestamp=entry.at,
                user=entry.actor or context.user,
                uuid=context.uuid,
                data={
                    "ledger_entry": entry.pk,
                    "clue": entry.clue_id,
                    "from": entry.from_status,
                    "to": entry.to_status,
                },
            )
        )
    if rows:
        # All entries of Unit, the one model they are filed under.
        type(rows[0]).objects.bulk_create(rows)


def record_many(entries):
    """Append many ledger entries (unsaved, their clues loaded) and their audit-log mirror:
    two inserts, however many entries."""
    entries = LedgerEntry.objects.bulk_create(entries)
    statistics_facts.after_ledger(entries)
    mirror_many(entries)
    return entries


def record_export(clues, actor, file_format):
    """One ledger entry per exported clue, written together."""
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            clue_id=pk,
            action=LedgerEntry.Action.EXPORTED,
            actor=actor,
            at=now,
            unit_id=unit_id,
            note=file_format,
        )
        for pk, unit_id in clues.values_list("pk", "unit_id").iterator()
    )


# A person who keeps a clue open, or comes back to it all afternoon, is one entry an hour: the
# ledger says who looked and when, without drowning the clue's history in page loads.
VIEW_INTERVAL = timedelta(hours=1)

# The screens that show a clue to staff, by the code their view entries carry as note.
SCREENS = {"inspect": _("clue page")}


def record_view(clue, actor, screen, *, now=None):
    """A staff member's look at a clue: an entry, unless this person's last one for this clue
    is less than VIEW_INTERVAL old (then None). Decided by the ledger itself, so it holds
    across workers and restarts; two pages opened in the same instant may both write, which
    says no less than one."""
    now = now or timezone.now()
    recent = LedgerEntry.objects.filter(
        clue=clue, actor=actor, action=LedgerEntry.Action.VIEWED, at__gt=now - VIEW_INTERVAL
    )
    if recent.exists():
        return None
    # The entry and its audit-log twin together; the check above needs no transaction, as a
    # second entry from a race is harmless and a lock would cost every page.
    with transaction.atomic():
        return record(
            clue, LedgerEntry.Action.VIEWED, actor=actor, note=screen, at=now, unit=clue.unit
        )


def viewers(clue):
    """Who has looked at this clue, per person and screen: the first and the latest recorded
    view, and how many hourly entries were written. One query, however many views."""
    rows = (
        clue.ledger.filter(action=LedgerEntry.Action.VIEWED)
        .values("actor", "actor__username", "actor__first_name", "actor__last_name", "note")
        .annotate(first=Min("at"), latest=Max("at"), entries=Count("pk"))
        .order_by("-latest", "actor")
    )
    User = get_user_model()
    return [
        {
            # Built from the row, not read again, for the model's way of writing a name.
            "person": User(
                pk=row["actor"],
                username=row["actor__username"],
                first_name=row["actor__first_name"],
                last_name=row["actor__last_name"],
            ),
            "screen": SCREENS.get(row["note"], row["note"]),
            "first": row["first"],
            "latest": row["latest"],
            "entries": row["entries"],
        }
        for row in rows
    ]
