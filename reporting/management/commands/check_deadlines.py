from django.core.management import call_command
from django.core.management.base import BaseCommand

from reporting import deadlines, mail


class Command(BaseCommand):
    help = (
        "Mark overdue clues, queue the day's reminder digests, escalate clues overdue past the "
        "grace period, and send webhook deliveries and emails left behind. The worker runs "
        "this every PERIODIC_CHECK_MINUTES; cron may call it too. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = deadlines.check()
        call_command("forward_pending", stdout=self.stdout)
        sent = mail.send_unsent()
        self.stdout.write(
            "{overdue} newly overdue, {escalated} escalated, {digests} digests queued, "
            "{sent} waiting emails sent.".format(sent=sent, **counts)
        )
