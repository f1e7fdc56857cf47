from django_tasks import task


@task()
def erase_expired_payment_details():
    """Queued with the periodic checks (docs/rewards.md)."""
    from . import services

    return services.erase_expired_payment_details()


@task()
def check_assessment_deadlines():
    """Queued with the periodic checks (docs/rewards.md)."""
    from . import deadlines

    return deadlines.check()
