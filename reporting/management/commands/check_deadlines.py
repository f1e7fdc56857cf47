from django.core.management import call_command
from django.core.management.base import BaseCommand

from reporting import deadlines, mail, services, tasks


class Command(BaseCommand):
    help = (
        "Mark overdue clues, queue the day's reminder digests, escalate clues overdue past the "
        "grace period, send webhook deliveries, finish the follow-up of new clues whose task "
        "was lost, send emails left behind, and purge files of forms never sent and receipts "
        "never shown. The worker runs this every PERIODIC_CHECK_MINUTES; cron may call it "
        "too. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = deadlines.check()
        call_command("forward_pending", stdout=self.stdout)
        # Before the outbox's pass, which then sends the emails these write.
        followed = services.finish_lost_follow_ups()
        sent = mail.send_unsent()
        # Last: the housekeeping of the report form, once per round rather than per report.
        purged = tasks.purge_abandoned_staging.call()
        self.stdout.write(
            "{overdue} newly overdue, {escalated} escalated, {digests} digests queued, "
            "{sent} waiting emails sent, {purged} files of forms never sent purged, "
            "{followed} new clues' lost follow-up done.".format(
                sent=sent, purged=purged, followed=followed, **counts
            )
        )
