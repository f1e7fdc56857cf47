from django.core.management.base import BaseCommand

from reporting.jobs import schedule


class Command(BaseCommand):
    help = (
        "Mark overdue clues, queue the day's reminder digests, escalate clues overdue past the "
        "grace period, send webhook deliveries, finish the follow-up of new clues whose task "
        "was lost, send emails left behind, and purge files of forms never sent and receipts "
        "never shown. The worker runs this every PERIODIC_CHECK_MINUTES; cron may call it "
        "too. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = schedule.run_round()
        self.stdout.write(f"{counts['forwarded']} deliveries queued.")
        self.stdout.write(
            "{overdue} newly overdue, {escalated} escalated, {digests} digests queued, "
            "{sent} waiting emails sent, {purged} files of forms never sent purged, "
            "{followed} new clues' lost follow-up done.".format(**counts)
        )
