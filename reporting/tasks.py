from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from django_tasks import task


def intake_recipients(clue):
    """Intake reviewers whose jurisdiction covers the clue (a clue of unknown region: the
    national office's), and superusers: one query, however many units there are."""
    from .models import Membership
    from .scope import units_covering

    intake = Membership.objects.filter(
        Q(role=Membership.Role.INTAKE) & units_covering(clue, prefix="unit__")
    )
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    staff = users.filter(Q(is_superuser=True) | Q(pk__in=intake.values("user_id")))
    return sorted(set(staff.values_list("email", flat=True)))


@task()
def send_mail_from_outbox(mail_id):
    from . import mail

    return mail.send(mail_id)


@task()
def purge_abandoned_staging():
    """Files kept for a report that was never completed are deleted after a day, receipts
    never shown after ten minutes. Run by check_deadlines in every round of periodic checks."""
    from . import services, staging
    from .models import ReceiptHandoff

    cutoff = timezone.now() - services.RECEIPT_HANDOFF_LIFETIME
    ReceiptHandoff.objects.filter(created_at__lt=cutoff).delete()
    return staging.purge_abandoned()


@task()
def deliver_transfer(delivery_id):
    """Forward a transfer to the unit's system; on failure, queue the next attempt later."""
    from . import forwarding

    wait = forwarding.attempt(delivery_id)
    if wait is not None:
        later = timezone.now() + timedelta(seconds=wait)
        deliver_transfer.using(run_after=later).enqueue(delivery_id)
    return wait


@task()
def run_periodic_checks():
    from django.core.management import call_command

    # Queued first and apart, so a failing deadline check does not hold back the erasure.
    erase_expired_content.enqueue()
    call_command("check_deadlines", verbosity=0)


@task()
def erase_expired_content():
    """The retention period: closed clues lose their reporter's identity, messages and files."""
    from .retention import erase_due

    counts = erase_due()
    return {name: value for name, value in counts.as_dict().items() if name != "failed_clues"}


@task()
def follow_new_clue(clue_id):
    from .services import follow_new_clue

    return follow_new_clue(clue_id)


# Queued by the report form before follow_new_clue did its work; kept for tasks still waiting
# in a queue across an upgrade.
@task()
def link_repeat_reports(clue_id):
    from .repeats import link_repeats

    return link_repeats(clue_id)


@task()
def refresh_statistics_snapshots():
    """Queued with the periodic checks; recounts only the supervisors' stored figures that are
    due, so it is cheap to queue often. What one run leaves is queued as the next run."""
    from . import snapshots

    counted, left = snapshots.refresh()
    if left:
        refresh_statistics_snapshots.enqueue()
    return {"counted": counted, "left": left}
