"""Deadlines: mark clues whose screening, acknowledgement, verification or feedback is late,
remind the people responsible in one digest a day, and escalate to the unit above after a
grace period. Run by the worker every PERIODIC_CHECK_MINUTES and by `manage.py check_deadlines`
(cron can call it too); running it twice does nothing twice."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.jobs.forwarding import clue_admin_url, supervisors_of
from reporting.jobs.mail import queue_mail
from reporting.lifecycle import protection
from reporting.lifecycle.ledger import record
from reporting.lifecycle.scope import covers
from reporting.models import Clue, Digest, LedgerEntry, Membership, Transfer, Unit

S, Role = Clue.Status, Membership.Role


def late(now):
    """Open clues past one of their deadlines, decided in the database. Only the latest
    transfer counts: a unit that gets a clue back is judged by its new deadline."""
    latest = Transfer.objects.filter(clue=OuterRef("pk")).order_by("-pk")
    ack_before = now - timedelta(days=settings.CLUE_UNIT_ACKNOWLEDGE_DAYS)
    return Clue.objects.annotate(
        transferred_at=Subquery(latest.values("created_at")[:1]),
        verify_by=Subquery(latest.values("deadline")[:1]),
    ).filter(
        Q(status=S.SUBMITTED, acknowledge_due_at__lt=now)
        | Q(status__in=Clue.AWAITING_ANSWER, feedback_due_at__lt=now)
        | Q(status=S.TRANSFERRED, transferred_at__lt=ack_before)
        | Q(status__in=Clue.WITH_UNIT, verify_by__lt=now)
    )


class Responsible:
    """Who should act on a late clue: the unit's verifiers once it holds the clue, else the
    intake reviewers covering it. Memberships are loaded once for a whole run."""

    def __init__(self):
        memberships = Membership.objects.filter(
            role__in=[Role.INTAKE, Role.VERIFIER]
        ).select_related("user", "unit__region")
        self.intake = [m for m in memberships if m.role == Role.INTAKE]
        self.verifiers = {}
        for m in memberships:
            if m.role == Role.VERIFIER:
                self.verifiers.setdefault(m.unit_id, set()).add(m.user)

    def __call__(self, clue):
        if clue.unit_id and clue.status in Clue.WITH_UNIT:
            return self.verifiers.get(clue.unit_id, set())
        return {m.user for m in self.intake if covers(m.unit, clue)}


def escalation_unit(clue):
    """The unit above the one that is late: the holding unit's parent, or for a clue not yet
    transferred, the national office."""
    if clue.unit_id and not clue.unit.is_root():
        return clue.unit.get_parent()
    return Unit.get_first_root_node()


def check(now=None):
    now = now or timezone.now()
    counts = {"overdue": 0, "escalated": 0, "digests": 0}
    for clue in late(now).filter(overdue_since=None).select_related("unit"):
        with transaction.atomic():
            # Another run may have marked it meanwhile: only the run that marks it records it.
            if Clue.objects.filter(pk=clue.pk, overdue_since=None).update(overdue_since=now):
                record(clue, LedgerEntry.Action.OVERDUE, unit=clue.unit, at=now)
                counts["overdue"] += 1

    grace = now - timedelta(days=settings.CLUE_ESCALATION_GRACE_DAYS)
    to_escalate = Clue.objects.filter(
        status__in=Clue.AWAITING_ANSWER, overdue_since__lt=grace, escalated_at=None
    ).select_related("unit", "region")
    for clue in to_escalate:
        above = escalation_unit(clue)
        # Mark, record and queue the mail together; a concurrent run that marked first makes
        # this one do nothing.
        with transaction.atomic():
            if not Clue.objects.filter(pk=clue.pk, escalated_at=None).update(escalated_at=now):
                continue
            record(clue, LedgerEntry.Action.ESCALATED, unit=above, at=now)
            if above is not None:
                queue_mail(
                    supervisors_of(above),
                    _("An overdue clue was escalated to you"),
                    _("A clue has been overdue for more than %(days)s days:\n%(url)s")
                    % {"days": settings.CLUE_ESCALATION_GRACE_DAYS, "url": clue_admin_url(clue)},
                )
        counts["escalated"] += 1

    counts["digests"] = send_digests(now)
    counts["protection_reminders"] = protection.remind_overdue(now)
    return counts


def send_digests(now):
    """One email per responsible person per day, listing links to their overdue clues."""
    by_person = {}
    responsible = Responsible()
    overdue = Clue.objects.filter(status__in=Clue.AWAITING_ANSWER).exclude(overdue_since=None)
    for clue in overdue.select_related("unit", "region"):
        for person in responsible(clue):
            by_person.setdefault(person, []).append(clue)
    sent = 0
    for person, clues in by_person.items():
        if not person.email or not person.is_active:
            continue
        links = "\n".join(clue_admin_url(clue) for clue in clues)
        try:
            # The day's Digest row, the ledger entries and the queued mail stand together.
            with transaction.atomic():
                Digest.objects.create(user=person, day=timezone.localdate(now))
                for clue in clues:
                    record(clue, LedgerEntry.Action.REMINDED, note=person.username, at=now)
                queue_mail(
                    [person.email],
                    _("Overdue clues: %(count)s") % {"count": len(clues)},
                    _("These clues are past a deadline:\n%(links)s") % {"links": links},
                )
        except IntegrityError:
            continue  # already reminded today
        sent += 1
    return sent
