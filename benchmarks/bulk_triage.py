#!/usr/bin/env python
"""A bulk "not accepted" over thousands of clues on PostgreSQL: what the worker's task costs.

    .venv/bin/python benchmarks/bulk_triage.py [--clues 5000] [--repeat 3] [--keep]

Recreates the database bench_bulk_triage on the local PostgreSQL (migrations and the demo's
reference data and staff, production settings), then for each of --repeat rounds writes
--clues new clues in the Hebei intake office's scope (bulk-loaded, as the real intake would
take minutes), selects them as the queue's "every clue matching this filter" does, and runs
the bulk job as the worker's task runs it (reporting.jobs.bulk.run_bulk_job), timing it and
counting its SQL queries. Prints, per round, the seconds and queries of the selection and of
the job, the clues per second, and the queries per chunk; then the median round. --keep
keeps the database afterwards (it is dropped and made again at the next run anyway).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness

DATABASE = "bench_bulk_triage"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--clues", 5000, 100, 100_000, "clues per round")
    harness.add_range_option(parser, "--repeat", 3, 1, 10, "rounds")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def prepare(workdir):
    database_url = harness.recreate_database(DATABASE)
    env = harness.production_env(workdir, database_url, harness.free_port())
    harness.manage(env, "migrate", "--noinput", "-v", "0")
    harness.manage(env, "load_demo_content", "--allow-production")
    # This process becomes the worker: the same settings, the same database.
    os.environ.update(env)
    import django

    django.setup()


def new_clues(count):
    from django.utils import timezone

    from reporting.intake.receipts import new_tracking_number
    from reporting.models import Category, Clue, Region

    now = timezone.now()
    category = Category.objects.get(slug="gang-crime")
    region = Region.objects.get(code="130203")
    numbers = set()
    while len(numbers) < count:
        numbers.add(new_tracking_number())
    Clue.objects.bulk_create(
        (
            Clue(
                tracking_number=number,
                access_key_hash="-",
                category=category,
                region=region,
                what_happened="（基准测试，虚构）无效举报。",
                language="zh-hans",
                submission_token=f"bench-{number}",
                created_at=now,
                acknowledge_due_at=now + timedelta(days=7),
                feedback_due_at=now + timedelta(days=90),
            )
            for number in numbers
        ),
        batch_size=1000,
    )


def one_round(count):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from reporting.admin.bulk import Selection
    from reporting.jobs import bulk as bulk_jobs
    from reporting.lifecycle import bulk
    from reporting.models import BulkJob, Clue

    new_clues(count)
    intake = get_user_model().objects.get(username="intake-hebei")
    request = RequestFactory().get("/", {"all": "1", "filter": "status=submitted"})
    request.user = intake
    with CaptureQueriesContext(connection) as selecting:
        started = time.perf_counter()
        selection = Selection(request, request.GET)
        select_seconds = time.perf_counter() - started
    job = BulkJob.objects.create(
        action=BulkJob.Action.NOT_ACCEPTED,
        actor=intake,
        arguments={"reason": "out_of_scope", "note": "", "language": "zh-hans"},
        clue_ids=selection.ids,
        total=len(selection.ids),
    )
    with CaptureQueriesContext(connection) as running:
        started = time.perf_counter()
        bulk_jobs.run_bulk_job.call(job.pk)
        run_seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE, job.status
    done = Clue.objects.filter(pk__in=job.clue_ids, status=Clue.Status.NOT_ACCEPTED).count()
    chunks = -(-job.total // bulk.CHUNK)
    return {
        "clues": job.total,
        "done": done,
        "refused": len(job.refusals),
        "select_s": select_seconds,
        "select_q": len(selecting),
        "run_s": run_seconds,
        "run_q": len(running),
        "per_chunk_q": len(running) / chunks,
    }


def show(label, row):
    print(
        f"{label:>7}  {row['clues']:>6} clues  done {row['done']:>6}  refused {row['refused']:>3}"
        f"  select {row['select_s']:6.3f} s / {row['select_q']:>3} q"
        f"  job {row['run_s']:6.2f} s / {row['run_q']:>4} q ({row['per_chunk_q']:.1f} q/chunk)"
        f"  {row['clues'] / row['run_s']:7.0f} clues/s",
        flush=True,
    )


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bulk-bench-") as workdir:
        print(f"Preparing {DATABASE} (migrations, demo reference data and staff)…", flush=True)
        prepare(Path(workdir))
        rows = []
        for number in range(1, args.repeat + 1):
            rows.append(one_round(args.clues))
            show(f"round {number}", rows[-1])
        median = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        show("median", median)
    from django.db import connections

    connections.close_all()
    if not args.keep:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{harness.LOCAL_POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))


if __name__ == "__main__":
    main()
