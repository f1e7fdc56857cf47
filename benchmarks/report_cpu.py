#!/usr/bin/env python
"""Where a text-only report's CPU goes, against the bare captcha form's, through gunicorn.

    .venv/bin/python benchmarks/report_cpu.py [--seconds 15] [--rounds 2] [--clients 8]
        [--database NAME]

The portal with its demo content on a fresh PostgreSQL database (bench_report_cpu, or
--database NAME; the bare form's is NAME_anchor) and the anchor's bare form
(benchmarks/anchor/) are each served by gunicorn (2 workers, production settings) and loaded in
turns, --rounds of each, by the same clients pages.py uses: GET the form, POST it, GET the page
it redirects to (after pages.py's unmeasured warm-up of each). Around each load it reads the
CPU seconds of the gunicorn workers and of the PostgreSQL processes serving that database
(sizing.CpuMeter), of this process (the clients and their captcha answers), and of the whole
machine (/proc/stat, everything else included).

Prints, per load: cycles per second, and CPU milliseconds per cycle of each part. The ratio of
the reports' rate to the form's follows the machine's column: on a busy two-core machine a
cycle's rate is about 2000 / (machine ms).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, pages, report_submissions, sizing

TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds():
    """CPU seconds the machine's cores spent on anything but idling, since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / TICKS


def measure(server, database, load):
    """(cycles/s, {part: CPU ms per cycle}) of one load."""
    client, machine = time.process_time(), machine_busy_seconds()
    with sizing.CpuMeter(server, database) as meter:
        result = load()
    client = time.process_time() - client
    machine = machine_busy_seconds() - machine
    cycles = result["count"] or float("nan")
    parts = {
        "web": meter.web_seconds,
        "db": meter.db_seconds,
        "client": client,
        "machine": machine,
    }
    return result["rate"], {part: 1000 * seconds / cycles for part, seconds in parts.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 15, 3, 300, "duration of each load")
    harness.add_range_option(parser, "--rounds", 2, 1, 10, "loads of each, taking turns")
    harness.add_range_option(parser, "--clients", 8, 1, 64, "report-submission clients")
    harness.add_database_option(parser, "bench_report_cpu", anchor=True)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="portal-report-cpu-") as tmp:
        workdir = Path(tmp)
        print("preparing the anchor and the portal (migrate, demo content) ...", flush=True)
        anchor_database = f"{args.database}_anchor"
        anchor_env = pages.prepare_anchor(workdir, anchor_database)
        port, env, database_url = harness.fresh_portal(
            workdir, args.database, **harness.RAISED_SPAM_LIMITS
        )
        store = harness.CaptchaStore(database_url)
        anchor_port = harness.free_port()
        anchor_app = {"app": "benchmarks.anchor.wsgi:application", "ready_path": "/"}
        with (
            harness.serving(anchor_port, anchor_env, **anchor_app) as anchor,
            harness.serving(port, env) as portal,
        ):
            anchor_base = f"http://127.0.0.1:{anchor_port}"
            portal_base = f"http://127.0.0.1:{port}"
            loads = {
                "bare form": (anchor, anchor_database, lambda: pages.anchor_form(
                    anchor_base, args.seconds, args.clients, anchor_database)),
                "report, text only": (portal, args.database, lambda: (
                    report_submissions.run_scenario(
                        portal_base, store, args.seconds, args.clients, None))),
            }  # fmt: skip
            # Unmeasured, as in pages.py: what the first submissions on each worker pay once.
            pages.anchor_form(anchor_base, pages.WARM_UP_SECONDS, args.clients, anchor_database)
            report_submissions.run_scenario(
                portal_base, store, pages.WARM_UP_SECONDS, args.clients, None
            )
            for number in range(1, args.rounds + 1):
                print(f"round {number} ...", flush=True)
                for name, (server, database, load) in loads.items():
                    rows.append((name, *measure(server, database, load)))

    print(
        f"\nCPU ms per cycle (GET the form, POST it, GET the page it leads to), gunicorn with 2 "
        f"workers, {args.clients} clients, {args.seconds} s a load, loads taking turns"
    )
    print(f"{'load':<20}{'cycles/s':>9}{'web':>8}{'db':>8}{'client':>8}{'machine':>9}")
    for name, rate, ms in rows:
        print(
            f"{name:<20}{rate:>9.1f}{ms['web']:>8.2f}{ms['db']:>8.2f}{ms['client']:>8.2f}"
            f"{ms['machine']:>9.2f}"
        )


if __name__ == "__main__":
    main()
