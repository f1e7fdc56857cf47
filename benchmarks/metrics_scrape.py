#!/usr/bin/env python
"""What a scrape of the operators' metrics endpoint (/metrics) costs over a million clues.

    .venv/bin/python benchmarks/metrics_scrape.py [--repeat 20] [--deliveries 200000]

Reads the database bench_statistics that benchmarks/statistics_scale.py builds (run it first;
1,000,000 clues with their transfers). Inside one transaction that is rolled back at the end,
so the kept database is left as it was, it adds a webhook delivery to each of --deliveries
transfers (a fiftieth of them pending, a hundredth failed, the rest delivered) and as many
outbox messages (a thousandth unsent), then scrapes /metrics in this process, as a web worker
answers it: one warm-up, then --repeat scrapes. Prints the rows counted, the SQL queries of a
scrape and the median and slowest time of the whole scrape and of each collector.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness

DATABASE = "bench_statistics"
TOKEN = "benchmark-only-metrics-token-0123456789"  # noqa: S105 (a local benchmark's)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, choices=range(1, 201), metavar="1-200")
    parser.add_argument("--deliveries", type=int, default=200_000)
    options = parser.parse_args()
    if not 0 <= options.deliveries <= 1_000_000:
        parser.error("--deliveries must be between 0 and 1,000,000")

    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=f"{harness.LOCAL_POSTGRES}/{DATABASE}",
        METRICS_TOKEN=TOKEN,
    )
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.utils import OperationalError
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal import health, registry
    from portal.metrics.collectors import PORTAL_COLLECTORS

    try:
        connection.ensure_connection()
    except OperationalError:
        sys.exit(f"No database {DATABASE}: run benchmarks/statistics_scale.py first.")
    # The kept database may lack this checkout's newest migrations (statistics_scale.py applies
    # them when it runs): the check would fail and skip the ones after it. A web process that
    # has seen them applied never computes the plan again, so it is taken as passed here.
    health._migrations_known_applied = True

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                fill(cursor, options.deliveries)
                cursor.execute(
                    "SELECT (SELECT count(*) FROM reporting_clue),"
                    " (SELECT count(*) FROM reporting_clue WHERE overdue_since IS NOT NULL),"
                    " (SELECT count(*) FROM reporting_delivery),"
                    " (SELECT count(*) FROM reporting_outgoingmail)"
                )
                clues, overdue, deliveries, mails = cursor.fetchone()
            print(
                f"{clues:,} clues ({overdue:,} overdue), {deliveries:,} deliveries, "
                f"{mails:,} outbox messages"
            )
            client = Client()
            headers = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
            assert client.get("/metrics", **headers).status_code == 200  # warm-up
            with CaptureQueriesContext(connection) as queries:
                client.get("/metrics", **headers)
            print(f"SQL queries a scrape: {len(queries)}")
            times = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                response = client.get("/metrics", **headers)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            report("whole scrape", times)
            for name, collect in [*PORTAL_COLLECTORS, *registry.metrics_collectors()]:
                times = []
                for _ in range(options.repeat):
                    started = time.perf_counter()
                    list(collect())
                    times.append(time.perf_counter() - started)
                report(f"collector {name}", times)
            raise Rollback
    except Rollback:
        pass


def fill(cursor, count):
    cursor.execute(
        "INSERT INTO reporting_delivery (transfer_id, url, idempotency_key, status, attempts,"
        " next_attempt_at, created_at)"
        " SELECT id, 'https://cases.example.test/hook', gen_random_uuid(),"
        "  CASE WHEN n %% 100 = 0 THEN 'failed' WHEN n %% 50 = 1 THEN 'pending'"
        "   ELSE 'delivered' END,"
        "  CASE WHEN n %% 100 = 0 THEN 8 WHEN n %% 50 = 1 THEN n %% 3 ELSE 1 END,"
        "  now(), now() - interval '1 hour'"
        " FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM reporting_transfer"
        "  WHERE id NOT IN (SELECT transfer_id FROM reporting_delivery)"
        "  ORDER BY id LIMIT %s) AS chosen",
        [count],
    )
    cursor.execute(
        "INSERT INTO reporting_outgoingmail (recipients, subject, body, created_at, sent_at,"
        " attempts, last_error)"
        " SELECT '[\"office@example.test\"]', 'subject', 'body', now() - interval '1 hour',"
        "  CASE WHEN n %% 1000 = 0 THEN NULL ELSE now() END, CASE WHEN n %% 1000 = 0 THEN 2"
        "  ELSE 1 END, ''"
        " FROM generate_series(1, %s) AS n",
        [count],
    )


def report(label, times):
    print(
        f"{label:<22} median {statistics.median(times) * 1000:7.1f} ms"
        f"   slowest {max(times) * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    main()
