from django.core.management.base import BaseCommand

from reporting.jobs import forwarding


class Command(BaseCommand):
    help = (
        "Queue again every webhook delivery whose next attempt is due and that no worker "
        "holds (after a worker was killed mid-send, or a queue lost its task). Safe to run "
        "at any time; cron or the periodic job runs it every few minutes."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{forwarding.forward_pending()} deliveries queued.")
