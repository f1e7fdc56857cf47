"""The review of a clue as a state machine. Every staff action is a function here: it locks
the clue's row, checks the state and the person's role on this clue, changes what it must,
and writes the ledger, all in one transaction. Views only call these functions."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reporting.jobs import forwarding
from reporting.lifecycle.ledger import record
from reporting.lifecycle.reporter import reporter_details
from reporting.lifecycle.scope import roles_on
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


class TransitionError(Exception):
    """An action that the clue's state or the person's role does not allow."""


def lock(clue):
    # of=("self",): PostgreSQL cannot lock the nullable side of the joins.
    return (
        Clue.objects.select_for_update(of=("self",))
        .select_related("region", "unit")
        .get(pk=clue.pk)
    )


# What counts as "someone acted on this clue": decisions and questions by staff. Reading,
# downloading, exporting, reminders and the reporter's own additions do not make a page out
# of date, or a verifier's note would be refused because a colleague exported the queue.
DECISIONS = {
    Action.ACCEPTED,
    Action.NOT_ACCEPTED,
    Action.TRANSFERRED,
    Action.ACKNOWLEDGED,
    Action.PROGRESS,
    Action.CONCLUSION_DRAFTED,
    Action.SIGNED,
    Action.CONCLUDED,
    Action.FEEDBACK,
    Action.CLOSED,
    Action.REOPENED,
    Action.STAFF_ASKED,
    Action.SUBMITTED,
}


def last_decision(clue):
    """The ledger mark an action form carries: the newest decision on the clue."""
    return (
        clue.ledger.filter(action__in=DECISIONS).order_by("-pk").values_list("pk", flat=True)
    ).first()


def roles_of(user, clue):
    """This person's roles on this clue; administrators act as intake and supervisor."""
    roles = roles_on(user, clue)
    if user.is_superuser:
        roles |= {Role.INTAKE, Role.SUPERVISOR}
    return roles


def _require(user, clue, states, roles, action_label):
    if clue.status not in states:
        raise TransitionError(
            _("“%(action)s” is not possible while the clue is “%(status)s”.")
            % {"action": action_label, "status": clue.get_status_display()}
        )
    if not roles_of(user, clue) & set(roles):
        raise TransitionError(
            _("Only %(roles)s responsible for this clue may do “%(action)s”.")
            % {
                "roles": ", ".join(str(Role(role).label) for role in sorted(roles)),
                "action": action_label,
            }
        )


def _move(
    clue, user, action, to_status, *, note="", unit=None, fields=(), met_deadline=True, at=None
):
    from_status = clue.status
    clue.status = to_status
    fields = ["status", *fields]
    if met_deadline:
        # The step the clue waited for is done: it is no longer late for it, and the next
        # check decides anew. A progress note does not meet a deadline, so it keeps the mark.
        clue.overdue_since = clue.escalated_at = None
        fields += ["overdue_since", "escalated_at"]
    clue.save(update_fields=fields)
    record(
        clue,
        action,
        actor=user,
        note=note,
        at=at,
        unit=unit or clue.unit,
        from_status=from_status,
        to_status=to_status,
    )
    return clue


@transaction.atomic
def accept(clue, user, *, is_key=False):
    clue = lock(clue)
    _require(user, clue, {S.SUBMITTED}, [Role.INTAKE], _("accept"))
    clue.is_key = is_key
    return _move(clue, user, Action.ACCEPTED, S.SCREENED, fields=["is_key"])


@transaction.atomic
def reject(clue, user, *, reason, duplicate_of=None, note=""):
    clue = lock(clue)
    _require(user, clue, {S.SUBMITTED}, [Role.INTAKE], _("not accept"))
    if reason not in Clue.NotAccepted.values:
        raise TransitionError(_("Choose why the clue is not accepted."))
    duplicate_missing = duplicate_of is None or duplicate_of.pk == clue.pk
    if reason == Clue.NotAccepted.DUPLICATE and duplicate_missing:
        raise TransitionError(_("Name the other clue this one duplicates."))
    clue.not_accepted_reason = reason
    clue.duplicate_of = duplicate_of if reason == Clue.NotAccepted.DUPLICATE else None
    clue.closed_at = timezone.now()
    return _move(
        clue,
        user,
        Action.NOT_ACCEPTED,
        S.NOT_ACCEPTED,
        note=note,
        fields=["not_accepted_reason", "duplicate_of", "closed_at"],
        at=clue.closed_at,
    )


def _check_destination(clue, user, to_unit, mode):
    current = clue.unit
    if current is not None and to_unit.pk == current.pk:
        raise TransitionError(_("The clue is already with this unit."))
    if mode == Mode.DIRECT_REVIEW:
        if not to_unit.is_root():
            raise TransitionError(_("Direct review goes to the national office."))
        return
    if mode == Mode.UPGRADE:
        if current is None or not current.path.startswith(to_unit.path):
            raise TransitionError(_("An upgrade goes to a unit above the one holding the clue."))
        return
    if mode == Mode.OFF_SITE:
        region = clue.region
        other = to_unit.region
        if region is None or other is None:
            raise TransitionError(_("Off-site verification needs a known region on both sides."))
        # The local network to keep out: the clue's city (or its province, for a clue known
        # only by province), everything in it and everything above it.
        local = region if region.depth <= 2 else region.get_ancestors().get(depth=2)
        if local.path.startswith(other.path) or other.path.startswith(local.path):
            raise TransitionError(
                _("Off-site verification goes to a unit outside the clue's city.")
            )
        clue.off_site_local = local.path
        return
    # Normal transfers and listed supervision go down the tree from whoever sends them.
    senders = (
        [current]
        if current
        else [m.unit for m in user.memberships.filter(role__in=[Role.INTAKE, Role.SUPERVISOR])]
    )
    if user.is_superuser and current is None:
        return
    if not any(to_unit.path.startswith(unit.path) for unit in senders):
        raise TransitionError(_("A transfer goes to a unit below the one that sends it."))


def transfer_roles(status):
    """Intake sends a screened clue on; once a unit holds it, its verifier passes it on."""
    if status == S.SCREENED:
        return {Role.INTAKE, Role.SUPERVISOR}
    return {Role.VERIFIER, Role.SUPERVISOR}


@transaction.atomic
def transfer(clue, user, *, to_unit, mode, deadline, note=""):
    clue = lock(clue)
    _require(
        user,
        clue,
        {S.SCREENED, S.TRANSFERRED, S.ACKNOWLEDGED, S.VERIFYING},
        transfer_roles(clue.status),
        _("transfer"),
    )
    if mode not in Mode.values:
        raise TransitionError(_("Choose how the clue is transferred."))
    if deadline <= timezone.now():
        raise TransitionError(_("The deadline must be in the future."))
    _check_destination(clue, user, to_unit, mode)
    new_transfer = Transfer.objects.create(
        clue=clue,
        from_unit=clue.unit,
        to_unit=to_unit,
        mode=mode,
        deadline=deadline,
        created_by=user,
    )
    _forward(new_transfer)
    # A conclusion not yet standing belongs to the unit that drafted it and ends here.
    clue.conclusions.filter(stood_at=None, withdrawn_at=None).update(withdrawn_at=timezone.now())
    clue.unit = to_unit
    if mode in (Mode.DIRECT_REVIEW, Mode.LISTED):
        clue.is_key = True
    note = f"{Mode(mode).label}: {note}".strip(": ")
    return _move(
        clue,
        user,
        Action.TRANSFERRED,
        S.TRANSFERRED,
        note=note,
        unit=to_unit,
        fields=["unit", "is_key", "off_site_local"],
    )


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


@transaction.atomic
def acknowledge(clue, user):
    clue = lock(clue)
    _require(user, clue, {S.TRANSFERRED}, [Role.VERIFIER], _("acknowledge"))
    clue.transfers.filter(to_unit=clue.unit, acknowledged_at=None).update(
        acknowledged_at=timezone.now()
    )
    return _move(clue, user, Action.ACKNOWLEDGED, S.ACKNOWLEDGED)


@transaction.atomic
def add_progress(clue, user, *, note):
    clue = lock(clue)
    _require(user, clue, {S.ACKNOWLEDGED, S.VERIFYING}, [Role.VERIFIER], _("record progress"))
    if not note.strip():
        raise TransitionError(_("Write what was done."))
    return _move(clue, user, Action.PROGRESS, S.VERIFYING, note=note, met_deadline=False)


@transaction.atomic
def draft_conclusion(clue, user, *, finding, outcome, text):
    clue = lock(clue)
    _require(user, clue, {S.ACKNOWLEDGED, S.VERIFYING}, [Role.VERIFIER], _("draft a conclusion"))
    if finding not in Conclusion.Finding.values or outcome not in Conclusion.Outcome.values:
        raise TransitionError(_("Choose the finding and the outcome."))
    if not text.strip():
        raise TransitionError(_("Write the conclusion."))
    open_conclusion = current_conclusion(clue)
    if open_conclusion and open_conclusion.signatures.exists():
        raise TransitionError(
            _("This conclusion already has signatures and can no longer be changed.")
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


@transaction.atomic
def sign(clue, user, *, conclusion_id=None):
    """Sign the conclusion the signatory read: conclusion_id is the one on their page, and a
    conclusion redrafted since then is not signed in its place."""
    clue = lock(clue)
    _require(user, clue, {S.VERIFYING}, [Role.SIGNATORY], _("sign the conclusion"))
    conclusion = current_conclusion(clue)
    if conclusion is None:
        raise TransitionError(_("There is no conclusion to sign yet."))
    if conclusion_id is not None and conclusion.pk != conclusion_id:
        raise TransitionError(
            _("The conclusion was redrafted since you opened the page. Read it again, then sign.")
        )
    try:
        with transaction.atomic():
            Signature.objects.create(conclusion=conclusion, signer=user)
    except IntegrityError:
        raise TransitionError(_("You have already signed this conclusion.")) from None
    count = conclusion.signatures.count()
    record(clue, Action.SIGNED, actor=user, unit=clue.unit, note=f"{count}/{REQUIRED}")
    if count >= REQUIRED:
        conclusion.stood_at = timezone.now()
        conclusion.save(update_fields=["stood_at"])
        _move(clue, user, Action.CONCLUDED, S.CONCLUDED, note=conclusion.get_finding_display())
    return clue


@transaction.atomic
def give_feedback(clue, user, *, text):
    clue = lock(clue)
    _require(
        user,
        clue,
        {S.CONCLUDED},
        [Role.INTAKE, Role.VERIFIER, Role.SUPERVISOR],
        _("give feedback"),
    )
    if not text.strip():
        raise TransitionError(_("Write what the reporter will be told."))
    clue.feedback = text
    return _move(clue, user, Action.FEEDBACK, S.FEEDBACK, fields=["feedback"])


@transaction.atomic
def close(clue, user):
    clue = lock(clue)
    _require(user, clue, {S.FEEDBACK}, [Role.INTAKE, Role.SUPERVISOR], _("close"))
    clue.closed_at = timezone.now()
    return _move(clue, user, Action.CLOSED, S.CLOSED, fields=["closed_at"], at=clue.closed_at)


@transaction.atomic
def reopen(clue, user, *, reason):
    clue = lock(clue)
    _require(user, clue, {S.CLOSED, S.NOT_ACCEPTED}, [Role.INTAKE, Role.SUPERVISOR], _("reopen"))
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


@transaction.atomic
def reveal_reporter(clue, user, *, reason):
    """A named reporter's details, for a stated reason, recorded in the ledger."""
    clue = lock(clue)
    allowed = roles_of(user, clue) & {Role.INTAKE, Role.SUPERVISOR}
    if not user.has_perm("reporting.reveal_reporter") or not allowed:
        raise TransitionError(_("You may not see who reported this clue."))
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
    record(clue, Action.REPORTER_REVEALED, actor=user, note=reason, unit=clue.unit)
    return reporter_details(clue)
