#!/usr/bin/env python
"""CPU time per request of each kind, for sizing a deployment (docs/deployment.md, Sizing).

    .venv/bin/python benchmarks/sizing.py [--seconds 20] [--connections 16] [--clients 8]
        [--database NAME]

Prepares the portal with its demo content on a fresh PostgreSQL database (bench_sizing on the
local server), then loads one kind of request at a time through gunicorn (production
settings, 2 workers): a cached page (the home page, page cache in process), an uncached page
(a law article with PAGE_CACHE_SECONDS=0), a text-only report (GET the form, POST it, GET the
receipt: three requests) and a staff page (the clue queue of the demo's Hebei intake
reviewer, signed in with both steps). Around each load it reads the CPU time (user + system,
from /proc) of the gunicorn workers and of the PostgreSQL server processes serving the
portal's database. CPU time does not depend on how many cores the machine has or on what else
runs on it (unlike requests per second), so it carries over to another machine of similar
speed: a core gives 1000 / (ms per request) requests a second, when nothing else waits.

Prints, per kind: requests, requests/s on this machine, web CPU ms and database CPU ms per
request, and requests per second per core (web and database together). Stops by itself.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, pages, report_submissions

TICKS = os.sysconf("SC_CLK_TCK")

SESSION = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from benchmarks.statistics_scale import signed_in
name = settings.SESSION_COOKIE_NAME
print(name + "=" + signed_in(Client(), "intake-hebei").cookies[name].value)
"""


def cpu_seconds(pid):
    """User and system CPU seconds of one process (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / TICKS


def workers(server):
    """The gunicorn workers of the master `server` (a Popen)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def backends(database):
    """PostgreSQL's processes serving `database` now."""
    with psycopg.connect(f"{harness.LOCAL_POSTGRES}/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """CPU seconds spent by the web workers and the database's backends during a block.
    Backends opened during the block count from zero; one that ends within it is lost
    (the web workers' pools keep their connections, so few do)."""

    def __init__(self, server, database):
        self.server, self.database = server, database

    def __enter__(self):
        self.web = {pid: cpu_seconds(pid) for pid in workers(self.server)}
        self.db = {pid: cpu_seconds(pid) for pid in backends(self.database)}
        return self

    def __exit__(self, *exc):
        self.web_seconds = sum(
            cpu_seconds(pid) - self.web.get(pid, 0.0) for pid in workers(self.server)
        )
        self.db_seconds = sum(
            cpu_seconds(pid) - self.db.get(pid, 0.0) for pid in backends(self.database)
        )


def staff_cookie(env):
    output = subprocess.run(
        [harness.PYTHON, "-c", SESSION],
        cwd=harness.ROOT,
        env={**env, "PYTHONPATH": str(harness.ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1]


def measure_wrk(server, database, url, args, headers):
    with CpuMeter(server, database) as meter:
        result = pages.wrk(url, args, headers)
    return result["rate"] * args.seconds, result["rate"], meter, result["failed"]


def measure_reports(server, database, base, store, args):
    with CpuMeter(server, database) as meter:
        result = report_submissions.run_scenario(base, store, args.seconds, args.clients, None)
    # Three requests each: the form, the post, the receipt.
    return result["count"] * 3, result["rate"] * 3, meter, result["failures"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 20, 5, 300, "duration of each load")
    harness.add_range_option(parser, "--connections", 16, 1, 256, "wrk connections")
    harness.add_range_option(parser, "--clients", 8, 1, 64, "report-submission clients")
    harness.add_database_option(parser, "bench_sizing")
    args = parser.parse_args()  # fmt: skip
    pages.ensure_wrk()

    rows = []
    https = ["X-Forwarded-Proto: https"]
    with tempfile.TemporaryDirectory(prefix="portal-sizing-") as tmp:
        workdir = Path(tmp)
        print("preparing the portal (migrate, demo content) ...", flush=True)
        _port, env, database_url = harness.fresh_portal(
            workdir, args.database, **harness.RAISED_SPAM_LIMITS
        )
        urls = pages.discover(env)
        cookie = staff_cookie(env)
        log = workdir / "gunicorn.log"
        store = harness.CaptchaStore(database_url)

        port, cached_env = harness.on_new_port(env)
        with harness.serving(port, cached_env, log=log) as server:
            base = f"http://127.0.0.1:{port}"
            print("cached page ...", flush=True)
            requests.get(base + "/", headers={"X-Forwarded-Proto": "https"}, timeout=60)
            rows.append(("cached page (home)", *measure_wrk(server, args.database, base + "/",
                                                            args, https)))  # fmt: skip
            print("report, text only ...", flush=True)
            rows.append(("report, text only (3 requests)",
                         *measure_reports(server, args.database, base, store, args)))  # fmt: skip
            print("staff page ...", flush=True)
            staff = [*https, f"Cookie: {cookie}"]
            url = base + "/admin/reporting/clues/"
            rows.append(("staff page (clue queue)",
                         *measure_wrk(server, args.database, url, args, staff)))  # fmt: skip

        port, uncached_env = harness.on_new_port({**env, "PAGE_CACHE_SECONDS": "0"})
        with harness.serving(port, uncached_env, log=log) as server:
            base = f"http://127.0.0.1:{port}"
            print("uncached page ...", flush=True)
            url = base + urls["law article"]
            rows.append(("uncached page (law article)",
                         *measure_wrk(server, args.database, url, args, https)))  # fmt: skip

    print(
        f"\nCPU per request through gunicorn (2 workers, production settings) and PostgreSQL, "
        f"{args.seconds} s of load each, one run"
    )
    print(
        f"{'kind':<32}{'requests':>9}{'req/s':>8}{'web ms':>8}{'db ms':>8}"
        f"{'req/s/core':>11}{'failed':>8}"
    )
    for name, count, rate, meter, failed in rows:
        web = meter.web_seconds * 1000 / count if count else float("nan")
        db = meter.db_seconds * 1000 / count if count else float("nan")
        per_core = 1000 / (web + db) if count else float("nan")
        print(
            f"{name:<32}{count:>9.0f}{rate:>8.1f}{web:>8.2f}{db:>8.2f}{per_core:>11.0f}{failed:>8}"
        )


if __name__ == "__main__":
    main()
