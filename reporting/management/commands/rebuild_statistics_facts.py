import time

from django.core.management.base import BaseCommand

from reporting import statistics_facts


class Command(BaseCommand):
    help = (
        "Derive the kept statistics (reporting.StatisticsFact and StatisticsDay) again from "
        "every clue, its ledger, transfers and conclusions, in one transaction. Migration 0027 "
        "runs it once; run it again after writing clues, transfers or conclusions without "
        "the portal's services (a bulk load), or after moving a unit in the tree. Safe to run "
        "again: it gives the same rows."
    )

    def handle(self, *args, **options):
        began = time.monotonic()
        facts, days = statistics_facts.rebuild(
            stdout=self.stdout if options["verbosity"] > 1 else None
        )
        self.stdout.write(f"{facts} facts, {days} daily rows, in {time.monotonic() - began:.0f} s")
