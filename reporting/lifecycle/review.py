"""The review of a clue as a state machine. Every staff action is a function here, declared
with @performs: the transitions table says in which states and by which roles it may run,
and the declaration runs it in one transaction on the clue's locked row. Each function
changes what it must and writes the ledger. Views only call these functions.

The actions a bulk action can take (lifecycle/bulk.py) are split in two: prepare_<action>
decides for one clue (refusing with TransitionError, or setting the clue's fields in memory
and returning the Change with its ledger entry), and the service writes that one change. The
bulk action runs the same prepare_<action> per clue and writes a chunk's changes together."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reporting.jobs import forwarding
from reporting.lifecycle import destinations
from reporting.lifecycle.ledger import record
from reporting.lifecycle.reporter import ask_reporter, reporter_details
from reporting.lifecycle.transitions import (  # noqa: F401  (the names callers know review by)
    StaleClue,
    TransitionError,
    last_decision,
    lock,
    performs,
    roles_of,
    transfer_roles,
)
from reporting.models import SIGNATURES_REQUIRED as REQUIRED
from reporting.models import (
    Clue,
    Conclusion,
    Delivery,
    LedgerEntry,
    Membership,
    Signature,
    Transfer,
)

S, Role, Action, Mode = Clue.Status, Membership.Role, LedgerEntry.Action, Transfer.Mode


class Change:
    """What an action does to one clue, decided and not yet written: the clue's fields as
    they will be (set on the instance), the fields to save, and its ledger entry. The single
    action writes it at once (_write); a bulk action writes a chunk's changes together
    (bulk.py). Either way the same prepare_* function decided it."""

    def __init__(self, clue, fields, entry):
        self.clue, self.fields, self.entry = clue, fields, entry
        # Rows the change brings with it (a transfer), written before the clue.
        self.transfer = None


def _step(
    clue, user, action, to_status, *, note="", unit=None, fields=(), met_deadline=True, at=None
):
    """The clue moved to `to_status` in memory, with its ledger entry, not yet written."""
    from_status = clue.status
    clue.status = to_status
    fields = ["status", *fields]
    if met_deadline:
        # The step the clue waited for is done: it is no longer late for it, and the next
        # check decides anew. A progress note does not meet a deadline, so it keeps the mark.
        clue.overdue_since = clue.escalated_at = None
        fields += ["overdue_since", "escalated_at"]
    entry = LedgerEntry(
        clue=clue,
        action=action,
        actor=user,
        note=note,
        at=at or timezone.now(),
        unit=unit or clue.unit,
        from_status=from_status,
        to_status=to_status,
    )
    return Change(clue, fields, entry)


def _write(change):
    change.clue.save(update_fields=change.fields)
    entry = change.entry
    record(
        change.clue,
        entry.action,
        actor=entry.actor,
        note=entry.note,
        at=entry.at,
        unit=entry.unit,
        from_status=entry.from_status,
        to_status=entry.to_status,
    )
    return change.clue


def _move(clue, user, action, to_status, **options):
    return _write(_step(clue, user, action, to_status, **options))


@performs("accept")
def accept(clue, user, *, is_key=False):
    clue.is_key = is_key
    return _move(clue, user, Action.ACCEPTED, S.SCREENED, fields=["is_key"])


def prepare_reject(clue, user, *, reason, duplicate_of=None, note="", now=None):
    if reason not in Clue.NotAccepted.values:
        raise TransitionError(_("Choose why the clue is not accepted."))
    if reason == Clue.NotAccepted.DUPLICATE and duplicate_of is None:
        raise TransitionError(_("Name the other clue this one duplicates."))
    if reason == Clue.NotAccepted.DUPLICATE and duplicate_of.pk == clue.pk:
        raise TransitionError(_("A clue cannot duplicate itself."))
    clue.not_accepted_reason = reason
    clue.duplicate_of = duplicate_of if reason == Clue.NotAccepted.DUPLICATE else None
    clue.closed_at = now or timezone.now()
    return _step(
        clue,
        user,
        Action.NOT_ACCEPTED,
        S.NOT_ACCEPTED,
        note=note,
        fields=["not_accepted_reason", "duplicate_of", "closed_at"],
        at=clue.closed_at,
    )


@performs("reject")
def reject(clue, user, **arguments):
    return _write(prepare_reject(clue, user, **arguments))


def prepare_mark_key(clue, user, *, now=None):
    if clue.is_key:
        raise TransitionError(_("The clue is already a key clue."))
    clue.is_key = True
    entry = LedgerEntry(
        clue=clue, action=Action.KEY_MARKED, actor=user, unit=clue.unit, at=now or timezone.now()
    )
    return Change(clue, ["is_key"], entry)


@performs("mark_key")
def mark_key(clue, user):
    return _write(prepare_mark_key(clue, user))


def _check_destination(clue, user, to_unit, mode):
    if clue.unit is not None and to_unit.pk == clue.unit.pk:
        raise TransitionError(_("The clue is already with this unit."), code="same_unit")
    if mode == Mode.OFF_SITE and (clue.region is None or to_unit.region is None):
        raise TransitionError(_("Off-site verification needs a known region on both sides."))
    if not destinations.allows(clue, user, mode, to_unit):
        raise TransitionError(str(destinations.REFUSALS[mode]), code="destination_refused")
    if mode == Mode.OFF_SITE:
        clue.off_site_local = destinations.local_area_path(clue.region)


def prepare_transfer(clue, user, *, to_unit, mode, deadline, note="", now=None):
    """Decides a transfer; the Transfer row is on the change, not yet written. A conclusion
    not yet standing ends with it: whoever writes the change withdraws it (transfer()
    below, bulk._write_transfers)."""
    now = now or timezone.now()
    if mode not in Mode.values:
        raise TransitionError(_("Choose how the clue is transferred."))
    if deadline <= now:
        raise TransitionError(_("The deadline must be in the future."), code="deadline_passed")
    _check_destination(clue, user, to_unit, mode)
    new_transfer = Transfer(
        clue=clue,
        from_unit=clue.unit,
        to_unit=to_unit,
        mode=mode,
        deadline=deadline,
        created_by=user,
        created_at=now,
    )
    clue.unit = to_unit
    if mode in (Mode.DIRECT_REVIEW, Mode.LISTED):
        clue.is_key = True
    note = f"{Mode(mode).label}: {note}".strip(": ")
    change = _step(
        clue,
        user,
        Action.TRANSFERRED,
        S.TRANSFERRED,
        note=note,
        unit=to_unit,
        fields=["unit", "is_key", "off_site_local"],
        at=now,
    )
    change.transfer = new_transfer
    return change


@performs("transfer")
def transfer(clue, user, **arguments):
    change = prepare_transfer(clue, user, **arguments)
    change.transfer.save()
    _forward(change.transfer)
    # A conclusion not yet standing belongs to the unit that drafted it and ends here.
    clue.conclusions.filter(stood_at=None, withdrawn_at=None).update(withdrawn_at=timezone.now())
    return _write(change)


def _forward(transfer):
    """Tell the receiving unit: its staff by email and its system by webhook, both as rows
    written with the transfer (outbox, Delivery), so nothing is lost if the queue or the
    worker fails; the worker sends them after the commit."""
    forwarding.tell_unit_of_transfer(transfer)
    if transfer.to_unit.webhook_url:
        delivery = Delivery.objects.create(transfer=transfer, url=transfer.to_unit.webhook_url)
        transaction.on_commit(
            lambda: forwarding.deliver_transfer.enqueue(delivery.pk), robust=True
        )


@performs("acknowledge")
def acknowledge(clue, user):
    clue.transfers.filter(to_unit=clue.unit, acknowledged_at=None).update(
        acknowledged_at=timezone.now()
    )
    return _move(clue, user, Action.ACKNOWLEDGED, S.ACKNOWLEDGED)


@performs("progress")
def add_progress(clue, user, *, note):
    if not note.strip():
        raise TransitionError(_("Write what was done."))
    return _move(clue, user, Action.PROGRESS, S.VERIFYING, note=note, met_deadline=False)


@performs("conclude")
def draft_conclusion(clue, user, *, finding, outcome, text):
    if finding not in Conclusion.Finding.values or outcome not in Conclusion.Outcome.values:
        raise TransitionError(_("Choose the finding and the outcome."))
    if not text.strip():
        raise TransitionError(_("Write the conclusion."))
    open_conclusion = current_conclusion(clue)
    if open_conclusion and open_conclusion.signatures.exists():
        raise TransitionError(
            _("This conclusion already has signatures and can no longer be changed."),
            code="conclusion_signed",
        )
    if open_conclusion:
        open_conclusion.delete()
    Conclusion.objects.create(
        clue=clue, unit=clue.unit, finding=finding, outcome=outcome, text=text, author=user
    )
    return _move(clue, user, Action.CONCLUSION_DRAFTED, S.VERIFYING, note=text)


def current_conclusion(clue):
    """The conclusion being signed: drafted since the last transfer, not yet standing."""
    return (
        clue.conclusions.filter(unit=clue.unit, stood_at=None, withdrawn_at=None)
        .order_by("-pk")
        .first()
    )


@performs("sign")
def sign(clue, user, *, conclusion_id=None, through=""):
    """Sign the conclusion the signatory read: conclusion_id is the one on their page, and a
    conclusion redrafted since then is not signed in its place. `through`: the unit's case
    system that passed the signature on (unitapi), named in the ledger beside the signatory."""
    conclusion = current_conclusion(clue)
    if conclusion is None:
        raise TransitionError(_("There is no conclusion to sign yet."), code="no_conclusion")
    if conclusion_id is not None and conclusion.pk != conclusion_id:
        raise TransitionError(
            _("The conclusion was redrafted since you opened the page. Read it again, then sign."),
            code="conclusion_redrafted",
        )
    try:
        with transaction.atomic():
            Signature.objects.create(conclusion=conclusion, signer=user)
    except IntegrityError:
        raise TransitionError(
            _("You have already signed this conclusion."), code="already_signed"
        ) from None
    count = conclusion.signatures.count()
    note = f"{count}/{REQUIRED} {through}".strip()
    record(clue, Action.SIGNED, actor=user, unit=clue.unit, note=note)
    if count >= REQUIRED:
        conclusion.stood_at = timezone.now()
        conclusion.save(update_fields=["stood_at"])
        _move(clue, user, Action.CONCLUDED, S.CONCLUDED, note=conclusion.get_finding_display())
    return clue


@performs("feedback")
def give_feedback(clue, user, *, text):
    if not text.strip():
        raise TransitionError(_("Write what the reporter will be told."))
    clue.feedback = text
    return _move(clue, user, Action.FEEDBACK, S.FEEDBACK, fields=["feedback"])


@performs("close")
def close(clue, user):
    clue.closed_at = timezone.now()
    return _move(clue, user, Action.CLOSED, S.CLOSED, fields=["closed_at"], at=clue.closed_at)


@performs("reopen")
def reopen(clue, user, *, reason):
    if not reason.strip():
        raise TransitionError(_("Say why the clue is looked at again."))
    now = timezone.now()
    clue.unit = None
    clue.not_accepted_reason = ""
    clue.duplicate_of = None
    clue.feedback = ""
    clue.off_site_local = ""
    clue.closed_at = None
    # A look-back is new work, on new clocks.
    clue.acknowledge_due_at = now + timedelta(days=settings.CLUE_ACKNOWLEDGE_DAYS)
    clue.feedback_due_at = now + timedelta(days=settings.CLUE_FEEDBACK_DAYS)
    return _move(
        clue,
        user,
        Action.REOPENED,
        S.SCREENED,
        note=reason,
        fields=[
            "unit",
            "not_accepted_reason",
            "duplicate_of",
            "feedback",
            "off_site_local",
            "closed_at",
            "acknowledge_due_at",
            "feedback_due_at",
        ],
    )


@performs("ask")
def ask(clue, user, *, body):
    return ask_reporter(clue, body, staff=user)


@transaction.atomic
def reveal_reporter(clue, user, *, reason):
    """A named reporter's details, for a stated reason, recorded in the ledger."""
    clue = lock(clue)
    allowed = roles_of(user, clue) & {Role.INTAKE, Role.SUPERVISOR}
    if not user.has_perm("reporting.reveal_reporter") or not allowed:
        raise TransitionError(_("You may not see who reported this clue."))
    _check_reveal(clue, reason)
    record(clue, Action.REPORTER_REVEALED, actor=user, note=reason, unit=clue.unit)
    return reporter_details(clue)


@transaction.atomic
def reveal_reporter_to_system(clue, *, system, reason, actor=None):
    """The same, for a unit's own case system (unitapi): the caller has checked that its key
    may. `actor`: the key's own account; the note names the key as well."""
    clue = lock(clue)
    _check_reveal(clue, reason)
    note = f"{system}: {reason}"
    record(clue, Action.REPORTER_REVEALED, actor=actor, note=note, unit=clue.unit)
    return reporter_details(clue)


def _check_reveal(clue, reason):
    if clue.reporter_sealed is None and clue.content_erased_at is not None:
        raise TransitionError(
            _("The reporter's details were erased with the clue's content on %(date)s.")
            % {"date": date_format(timezone.localtime(clue.content_erased_at), "DATE_FORMAT")}
        )
    if clue.reporter_sealed is None:
        raise TransitionError(_("This clue was reported anonymously."))
    # Four characters: "电话核实" is a reason; "看看" is not much of one.
    if len(reason.strip()) < 4:
        raise TransitionError(
            _("Give the reason you need the reporter's identity, in at least four characters.")
        )
