from django_tasks import task


@task()
def withdraw_due_details():
    """Queued with the periodic checks (docs/fugitives.md)."""
    from . import services

    return services.withdraw_due_details()
