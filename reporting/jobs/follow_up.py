"""What follows a new clue, in the worker: the audit log, repeat reports, intake told."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks import task

from reporting.jobs.mail import queue_mail, send
from reporting.lifecycle.ledger import mirror_to_audit_log
from reporting.lifecycle.repeats import link_repeats
from reporting.lifecycle.scope import intake_recipients
from reporting.models import Clue, LedgerEntry, Unit

logger = logging.getLogger(__name__)


# A new clue's follow-up is the worker's task; the periodic checks take over any still
# pending after this long, when the task is surely lost rather than waiting its turn.
FOLLOW_UP_GRACE = timedelta(minutes=5)


def follow_new_clue(clue_id, *, send_now=True):
    """What follows a new clue, in the worker rather than the reporter's request: its
    submission is mirrored to the audit log, repeat reports are linked and intake is told.
    All of it is written in the transaction that clears the pending mark, so a task run
    twice, or a task and the periodic checks at once, do it once, and a worker stopped
    midway leaves the clue pending for the periodic checks. Only the sending comes after
    the commit (send_now; the periodic checks leave it to their own pass over the outbox).
    Returns whether this call did the follow-up."""
    with transaction.atomic():
        claimed = Clue.objects.filter(pk=clue_id, follow_up_pending=True).update(
            follow_up_pending=False
        )
        if not claimed:
            return False
        clue = Clue.objects.select_related("region").get(pk=clue_id)
        # Filed where the request would have filed it: a new clue is the national office's,
        # even if a reviewer already took it on by now.
        root = Unit.get_first_root_node()
        for entry in clue.ledger.filter(action=LedgerEntry.Action.SUBMITTED):
            mirror_to_audit_log(entry, clue, unit=root)
        try:
            link_repeats(clue_id)  # in a savepoint of its own
        except Exception:  # a fault in comparing stories must not keep intake uninformed
            logger.exception("Repeat reports of clue %s could not be linked", clue_id)
        mail = notify_intake(clue)
    if mail is not None and send_now:
        send(mail.pk)  # a failure is counted on the email; the periodic checks resend it
    return True


# At most this many lost follow-ups per round of the periodic checks, so a backlog (after a
# queue outage) cannot hold up the rest of the round; the next rounds take the others.
FOLLOW_UPS_PER_ROUND = 500


def finish_lost_follow_ups(now=None):
    """The periodic checks' pass over new clues whose follow-up task was lost (a queue
    outage, a worker killed mid-task). Their emails are left to the checks' pass over the
    outbox. Returns how many it finished."""
    cutoff = (now or timezone.now()) - FOLLOW_UP_GRACE
    pending = Clue.objects.filter(follow_up_pending=True, created_at__lt=cutoff)
    finished = 0
    for pk in pending.order_by("created_at").values_list("pk", flat=True)[:FOLLOW_UPS_PER_ROUND]:
        try:
            finished += follow_new_clue(pk, send_now=False)
        except Exception:  # one clue's failure must not hold back the others or the checks
            logger.exception("The follow-up of clue %s failed", pk)
    return finished


def notify_intake(clue):
    """Write the email telling intake staff a clue arrived, for the caller to send (the
    follow-up does, after its commit): a link only, never its content, so mail servers and
    inboxes hold nothing about the clue or the reporter."""
    return queue_mail(
        intake_recipients(clue),
        _("A new clue has arrived"),
        _("A new clue is waiting for screening. Sign in to read it:\n%(url)s")
        % {"url": f"{settings.PORTAL_BASE_URL}/admin/"},
        enqueue=False,
    )


@task()
def follow_new_clue_task(clue_id):
    return follow_new_clue(clue_id)
