"""The assessment deadline: a claim not decided within REWARD_ASSESSMENT_DAYS of being made is
overdue, and its unit's reward officers and supervisors are told once; REWARD_ESCALATION_GRACE_DAYS
later the supervisors of the unit above are told once. Queued with the worker's periodic checks
(rewards/tasks.py); running it twice sends nothing twice. Mails carry a link, never an amount
or a name."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.jobs.mail import queue_mail
from reporting.lifecycle.ledger import record
from reporting.models import LedgerEntry, Membership

from .models import Claim
from .services import claim_admin_url, emails, superusers

Action, Role = LedgerEntry.Action, Membership.Role
# The ledger is the clue's: this note tells a reward claim's deadline from the clue's own.
NOTE = "reward_claim"


def _mark(claim, field, now):
    """Set the claim's mark if no other run set it first; only the run that sets it writes."""
    return Claim.objects.filter(pk=claim.pk, status__in=Claim.UNDECIDED, **{field: None}).update(
        **{field: now}
    )


def check(now=None):
    now = now or timezone.now()
    counts = {"overdue": 0, "escalated": 0}
    due_before = now - timedelta(days=settings.REWARD_ASSESSMENT_DAYS)
    late = Claim.objects.filter(
        status__in=Claim.UNDECIDED, claimed_at__lt=due_before, overdue_since=None
    ).select_related("clue", "unit")
    for claim in late:
        with transaction.atomic():
            if not _mark(claim, "overdue_since", now):
                continue
            record(claim.clue, Action.OVERDUE, unit=claim.unit, note=NOTE, at=now)
            mail = queue_mail(
                emails(claim.unit, [Role.REWARDS, Role.SUPERVISOR]),
                _("A reward claim waits for its assessment"),
                _("A reward claim was not decided within %(days)s days:\n%(url)s")
                % {"days": settings.REWARD_ASSESSMENT_DAYS, "url": claim_admin_url(claim)},
            )
            if mail is not None:
                record(claim.clue, Action.REMINDED, unit=claim.unit, note=NOTE, at=now)
        counts["overdue"] += 1

    grace_before = now - timedelta(days=settings.REWARD_ESCALATION_GRACE_DAYS)
    to_escalate = Claim.objects.filter(
        status__in=Claim.UNDECIDED, overdue_since__lt=grace_before, escalated_at=None
    ).select_related("clue", "unit")
    for claim in to_escalate:
        above = claim.unit.get_parent()
        with transaction.atomic():
            if not _mark(claim, "escalated_at", now):
                continue
            record(claim.clue, Action.ESCALATED, unit=above or claim.unit, note=NOTE, at=now)
            # The top unit has no one above it but the administrators.
            queue_mail(
                emails(above, [Role.SUPERVISOR]) if above else superusers(),
                _("An overdue reward claim was escalated to you"),
                _(
                    "A reward claim has waited for its assessment for more than %(days)s days:\n"
                    "%(url)s"
                )
                % {
                    "days": settings.REWARD_ASSESSMENT_DAYS
                    + settings.REWARD_ESCALATION_GRACE_DAYS,
                    "url": claim_admin_url(claim),
                },
            )
        counts["escalated"] += 1
    return counts
