from django_tasks import task


@task()
def forget_old_answers():
    """Queued with the periodic checks: the first answers to writes kept for retries, once
    they are older than UNIT_API_IDEMPOTENCY_HOURS."""
    from . import calls

    return calls.forget_old_answers()
