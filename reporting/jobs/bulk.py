"""Bulk actions asked for in the queue: a small one done within the request, a larger one by
the worker, chunk by chunk, its progress on the job's page (reporting/lifecycle/bulk.py has
the rules)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from django_tasks import task

from reporting.lifecycle import bulk
from reporting.models import BulkJob


def start(action, user, clue_ids, arguments):
    """Record the job with its clues fixed now, and do it: at once when it is small, else
    queued for the worker after the commit. Returns the job."""
    clue_ids = list(dict.fromkeys(clue_ids))
    # Refusals are written in the asker's language, as the single action's messages are.
    arguments = {**arguments, "language": get_language()}
    with transaction.atomic():
        job = BulkJob.objects.create(
            action=action,
            actor=user,
            arguments=arguments,
            clue_ids=clue_ids,
            total=len(clue_ids),
        )
        if len(clue_ids) > bulk.IN_REQUEST:
            transaction.on_commit(lambda: run_bulk_job.enqueue(job.pk), robust=True)
    if len(clue_ids) <= bulk.IN_REQUEST:
        bulk.run(job)
    return job


@task()
def run_bulk_job(job_id):
    job = BulkJob.objects.select_related("actor").filter(pk=job_id).first()
    if job is None:
        return None
    return bulk.run(job).status


# A job not finished this long after it was asked for lost its task (a queue outage when it
# was queued, a worker killed mid-job): the periodic checks queue it again. A copy of a task
# still running does no harm: it waits for the job's row and finds its chunk counted.
STALLED_AFTER = timedelta(minutes=15)


def resume_stalled():
    """Queue again every bulk job left unfinished; returns how many."""
    stalled = BulkJob.objects.filter(
        status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING],
        created_at__lt=timezone.now() - STALLED_AFTER,
    ).values_list("pk", flat=True)
    count = 0
    for pk in stalled:
        run_bulk_job.enqueue(pk)
        count += 1
    return count
