"""The supervision ledger (台账): every change to a clue, every access and export, appended
here and mirrored to Wagtail's audit log."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

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
    if mirror:
        mirror_to_audit_log(entry, clue)
    return entry


def mirror_to_audit_log(entry, clue, unit=None):
    """Wagtail's audit log gets every ledger entry, filed under the unit, not the clue: the
    site history shows entries to everyone who may view their object, and a clue's
    tracking number must not reach staff outside its scope. Only administrators see units."""
    unit = unit or entry.unit or clue.unit or Unit.get_first_root_node()
    if unit is None:
        return
    model = log_registry.get_log_model_for_instance(unit)
    if model is None:
        return
    context = get_active_log_context()
    # The entry wagtail.log_actions.log() writes, written without its save(): that runs
    # full_clean(), whose checks read the content type and the user again, a query each on
    # every report, for rows just read; the action is one registered in wagtail_hooks.
    model.objects.bulk_create(
        [
            model(
                content_type=ContentType.objects.get_for_model(unit, for_concrete_model=False),
                object_id=str(unit.pk),
                label=model.objects.get_instance_title(unit),
                action=f"reporting.{entry.action}",
                timestamp=entry.at,
                user=entry.actor or context.user,
                uuid=context.uuid,
                data={
                    "ledger_entry": entry.pk,
                    "clue": clue.pk,
                    "from": entry.from_status,
                    "to": entry.to_status,
                },
            )
        ]
    )


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
