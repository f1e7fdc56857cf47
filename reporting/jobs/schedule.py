"""The periodic checks: one round, every PERIODIC_CHECK_MINUTES from the worker (or from cron
through `check_deadlines`). Each job is its own function, run in this order; each is safe to
run again, so two workers running a round at once do no harm."""

from importlib import import_module

from django.conf import settings
from django.core.management import call_command

from django_tasks import task

from reporting import statistics_facts
from reporting.evidence import staging
from reporting.intake.receipts import purge_receipts
from reporting.jobs import bulk, deadlines, follow_up, forwarding, mail
from reporting.jobs.retention import erase_expired_content


@task()
def purge_abandoned_staging():
    """Files kept for a report that was never completed are deleted after a day, receipts
    never shown after ten minutes or shown two minutes ago, sessions once they have expired."""
    purge_receipts()
    # An expired session is never read again, but its row would still name the report a
    # reporter unlocked: it goes within a round of the unlock's end.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return staging.purge_abandoned()


def run_round():
    """One round of the clues' periodic checks; returns what each job did."""
    counts = deadlines.check()
    counts["forwarded"] = forwarding.forward_pending()
    counts["bulk_resumed"] = bulk.resume_stalled()
    # Before the outbox's pass, which then sends the emails these write.
    counts["followed"] = follow_up.finish_lost_follow_ups()
    counts["sent"] = mail.send_unsent()
    counts["figures_folded"] = statistics_facts.fold_pending()
    # Last: the housekeeping of the report form, once per round rather than per report.
    counts["purged"] = purge_abandoned_staging.call()
    return counts


@task()
def run_periodic_checks():
    # Queued first and apart, so a failing deadline check does not hold back the erasure.
    erase_expired_content.enqueue()
    call_command("check_deadlines", verbosity=0)
