from django.core.management import call_command
from django.core.management.base import BaseCommand

from reporting import deadlines


class Command(BaseCommand):
    help = (
        "Mark overdue clues, send the day's reminder digests, escalate clues overdue past the "
        "grace period, and queue webhook deliveries left behind. The worker runs this every "
        "PERIODIC_CHECK_MINUTES; cron may call it too. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = deadlines.check()
        call_command("forward_pending", stdout=self.stdout)
        self.stdout.write(
            "{overdue} newly overdue, {escalated} escalated, {digests} digests sent.".format(
                **counts
            )
        )
