import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.jobs import retention


def whole_number(value):
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


class Command(BaseCommand):
    help = (
        "Erase the reporter's identity, the messages and the evidence files of clues closed "
        "(or not accepted) more than CLUE_RETENTION_DAYS days ago. Category, region, dates, "
        "status, the ledger and every statistic stay. The worker runs this every "
        "PERIODIC_CHECK_MINUTES; cron may call it too. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be erased; change nothing.",
        )
        parser.add_argument(
            "--days",
            type=whole_number,
            help=(
                "With --dry-run only: count for this period instead of CLUE_RETENTION_DAYS. "
                "What is erased always follows the setting the privacy notice shows."
            ),
        )
        parser.add_argument(
            "--limit",
            type=whole_number,
            help="Erase at most this many clues in this run (the oldest closures first).",
        )

    def handle(self, *args, dry_run=False, days=None, limit=None, **options):
        if days is not None and not dry_run:
            raise CommandError(
                "--days only previews (with --dry-run). To erase after another period, "
                "change CLUE_RETENTION_DAYS, which the privacy notice shows."
            )
        period = days or settings.CLUE_RETENTION_DAYS
        counts = retention.erase_due(dry_run=dry_run, limit=limit, days=days)
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{verb} the content of {counts.clues} clues closed more than {period} days ago: "
            f"{counts.identities} reporters' identities, {counts.messages} messages, "
            f"{counts.files} evidence files ({counts.missing_files} files were already "
            "missing)."
        )
        if counts.failed:
            raise CommandError(
                f"{counts.failed} clues could not be erased and will be tried again on the next "
                f"run: {', '.join(counts.failed_clues)}. The log says why."
            )
