"""One staff action over many clues (a bulk action from the queue). Each clue goes through the
same rules as the single action: the transitions table's check and the service's own
decision (review.prepare_*), and is done or refused on its own. What costs per clue is only
Python: the clues of a chunk are locked and read in one query, and the allowed ones written
with set-based writes (one update of the clues, one insert of ledger entries and of their
audit-log mirror, of transfers, of webhook deliveries, one email to the receiving unit).

A chunk is one transaction: its clues are all written or, should the writing fail, none is
(every clue of it is then reported as failed). A refused clue is never half done, as its
decision is made in full before anything is written.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reporting.jobs import forwarding
from reporting.lifecycle import review
from reporting.lifecycle.ledger import record_many
from reporting.lifecycle.scope import visible_clues
from reporting.lifecycle.transitions import TRANSITIONS, TransitionError
from reporting.models import BulkJob, Clue, Conclusion, Delivery, Transfer, Unit

logger = logging.getLogger(__name__)
Action = BulkJob.Action

# Clues locked and written together: large enough that the per-chunk queries vanish in the
# per-clue work, small enough that a chunk's transaction holds its locks briefly.
CHUNK = 500
# Selections up to this size are done within the request; larger ones by the worker.
IN_REQUEST = 200
# The most clues one bulk action takes: a filter matching more is narrowed first.
MOST = 20_000

# The transition whose rules each bulk action runs, and the decision it makes per clue.
RULES = {
    Action.NOT_ACCEPTED: ("reject", review.prepare_reject),
    Action.DUPLICATE: ("reject", review.prepare_reject),
    Action.TRANSFER: ("transfer", review.prepare_transfer),
    Action.KEY: ("mark_key", review.prepare_mark_key),
}


class BulkError(Exception):
    """The whole bulk action is refused (its arguments no longer hold); no clue is touched."""


def not_found():
    # Said of a clue the person cannot see, or that does not exist: never which of the two.
    return _("No such clue, or not one you may act on.")


def chunk_failed():
    return _("An error stopped the saving of this group of clues; none of them was changed.")


@dataclass
class Outcome:
    done: list = field(default_factory=list)
    refusals: list = field(default_factory=list)


def resolve(action, user, arguments):
    """The keyword arguments of the per-clue decision, from a job's stored arguments: the
    unit and the clue duplicated read again, the clue only if this person may see it."""
    if action in (Action.NOT_ACCEPTED, Action.DUPLICATE):
        resolved = {"reason": arguments.get("reason"), "note": arguments.get("note", "")}
        if action == Action.DUPLICATE:
            resolved["reason"] = Clue.NotAccepted.DUPLICATE
            original = (
                visible_clues(user).filter(pk=arguments.get("duplicate_of")).first()
                if isinstance(arguments.get("duplicate_of"), int)
                else None
            )
            if original is None:
                raise BulkError(_("No clue has this tracking number."))
            resolved["duplicate_of"] = original
        return resolved
    if action == Action.TRANSFER:
        unit = (
            Unit.objects.select_related("region").filter(pk=arguments.get("to_unit")).first()
            if isinstance(arguments.get("to_unit"), int)
            else None
        )
        if unit is None:
            raise BulkError(_("No such unit."))
        return {
            "to_unit": unit,
            "mode": arguments["mode"],
            "deadline": datetime.fromisoformat(arguments["deadline"]),
            "note": arguments.get("note", ""),
        }
    return {}


def refusal(clue, reason):
    return {"clue": clue.pk, "tracking_number": clue.tracking_number, "reason": str(reason)}


def run_chunk(action, user, clue_ids, arguments):
    """Decide and write one chunk of clues, in the caller's transaction (one per chunk)."""
    name, prepare = RULES[action]
    transition = TRANSITIONS[name]
    outcome = Outcome()
    # Locked in the order of their keys, as every chunk is, so two bulk actions over the
    # same clues wait for each other instead of deadlocking; of=("self",): PostgreSQL
    # cannot lock the nullable side of the joins.
    clues = list(
        visible_clues(user, Clue.objects.filter(pk__in=clue_ids))
        .select_for_update(of=("self",))
        .select_related("region", "unit")
        .order_by("pk")
    )
    found = {clue.pk for clue in clues}
    outcome.refusals += [
        {"clue": None, "tracking_number": "", "reason": str(not_found())}
        for pk in clue_ids
        if pk not in found
    ]
    now = timezone.now()
    changes = []
    for clue in clues:
        try:
            transition.check(clue, user)
            changes.append(prepare(clue, user, now=now, **arguments))
        except TransitionError as error:
            outcome.refusals.append(refusal(clue, error))
    if changes:
        _write(changes, now)
    outcome.done = [change.clue.pk for change in changes]
    return outcome


def _write(changes, now):
    fields = sorted({name for change in changes for name in change.fields})
    _update([change.clue for change in changes], fields)
    transfers = [change.transfer for change in changes if change.transfer is not None]
    if transfers:
        _write_transfers(transfers, now)
    record_many([change.entry for change in changes])


def _update(clues, fields):
    """The clues saved, one UPDATE per set of values: a bulk action gives most clues the same
    ones (a rejection: all of them), so this is one or a few statements, where bulk_update's
    CASE per row and field costs seconds a thousand clues in building the SQL alone."""
    attnames = [Clue._meta.get_field(name).attname for name in fields]
    groups = {}
    for clue in clues:
        values = tuple(getattr(clue, attname) for attname in attnames)
        groups.setdefault(values, []).append(clue.pk)
    for values, pks in groups.items():
        Clue.objects.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))


def _write_transfers(transfers, now):
    transfers = Transfer.objects.bulk_create(transfers)
    clues = [transfer.clue for transfer in transfers]
    # A conclusion not yet standing belongs to the unit that drafted it and ends here.
    Conclusion.objects.filter(clue__in=clues, stood_at=None, withdrawn_at=None).update(
        withdrawn_at=now
    )
    unit = transfers[0].to_unit  # a bulk transfer sends every clue to one unit
    forwarding.tell_unit_of_transfers(unit, clues)
    if unit.webhook_url:
        deliveries = Delivery.objects.bulk_create(
            Delivery(transfer=transfer, url=unit.webhook_url) for transfer in transfers
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: forwarding.deliver_transfers.enqueue(ids), robust=True)


def run(job):
    """Go through the job's clues chunk by chunk, from where it stands (a job restarted after
    a lost worker resumes after its last finished chunk). Each chunk and the job's counts
    are committed together. Returns the job."""
    BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.QUEUED).update(
        status=BulkJob.Status.RUNNING
    )
    job.refresh_from_db()
    if job.status != BulkJob.Status.RUNNING:
        return job
    with translation.override(job.arguments.get("language")):
        try:
            arguments = resolve(job.action, job.actor, job.arguments)
        except BulkError as error:
            return _refuse_all(job, str(error))
        while job.processed < job.total:
            chunk = job.clue_ids[job.processed : job.processed + CHUNK]
            try:
                with transaction.atomic():
                    # The job's row locked with the chunk: should a second copy of the task
                    # run, it waits here and then finds the chunk counted.
                    counted = BulkJob.objects.select_for_update().get(pk=job.pk).processed
                    if counted != job.processed:
                        return job
                    outcome = run_chunk(job.action, job.actor, chunk, arguments)
                    _count(job, len(chunk), outcome)
            except Exception:
                logger.exception("bulk job %s: a chunk of %s clues failed", job.pk, len(chunk))
                job.refresh_from_db()
                failed = Outcome(refusals=_failed(job.actor, chunk))
                job.status = BulkJob.Status.FAILED
                _count(job, len(chunk), failed)
                return job
    job.status = BulkJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


def _failed(user, chunk):
    """Every clue of a failed chunk, as failed: by its number when this person may see it."""
    numbers = dict(visible_clues(user).filter(pk__in=chunk).values_list("pk", "tracking_number"))
    return [
        {"clue": pk, "tracking_number": numbers[pk], "reason": str(chunk_failed())}
        if pk in numbers
        else {"clue": None, "tracking_number": "", "reason": str(not_found())}
        for pk in chunk
    ]


def _count(job, count, outcome):
    job.processed += count
    job.succeeded += len(outcome.done)
    job.refusals = [*job.refusals, *outcome.refusals]
    fields = ["processed", "succeeded", "refusals"]
    if job.status == BulkJob.Status.FAILED:
        job.finished_at = timezone.now()
        fields += ["status", "finished_at"]
    job.save(update_fields=fields)


def _refuse_all(job, reason):
    job.status = BulkJob.Status.DONE
    job.processed = job.total
    # Every clue, unnamed: the whole action was refused, not any clue for itself.
    job.refusals = [{"clue": None, "tracking_number": "", "reason": reason}] * job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "processed", "refusals", "finished_at"])
    return job
