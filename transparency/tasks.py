from django_tasks import task


@task()
def refresh_public_statistics():
    """Queued with the periodic checks; recomputes only when the stored figures are old, so
    the database does this work once an interval, never per page view."""
    from . import services

    snapshot = services.refresh()
    return snapshot.computed_at.isoformat()
