from django.core.management.base import BaseCommand

from reporting import forwarding, tasks


class Command(BaseCommand):
    help = (
        "Queue again every webhook delivery whose next attempt is due and that no worker "
        "holds (after a worker was killed mid-send, or a queue lost its task). Safe to run "
        "at any time; cron or the periodic job runs it every few minutes."
    )

    def handle(self, *args, **options):
        count = 0
        for delivery_id in forwarding.due_for_retry().values_list("pk", flat=True):
            tasks.deliver_transfer.enqueue(delivery_id)
            count += 1
        self.stdout.write(f"{count} deliveries queued.")
