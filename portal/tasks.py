from django_tasks import task


@task()
def publish_scheduled_pages():
    """Publish pages (and other drafts) whose approved go-live time has passed, and unpublish
    those whose expiry time has: Wagtail's publish_scheduled, queued by run_worker's schedule
    so scheduled publishing needs no cron entry."""
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)
