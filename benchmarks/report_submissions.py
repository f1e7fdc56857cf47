#!/usr/bin/env python
"""Report submissions per second through gunicorn, text only and with a 2 MB photo.

    .venv/bin/python benchmarks/report_submissions.py [--seconds 20] [--clients 8]

Starts its own gunicorn (2 workers, production settings) on 127.0.0.1 against a fresh
PostgreSQL database (portal_bench on the local server, or --database NAME; --sqlite for a file
instead), loads the demo data, then runs each scenario for a fixed time: every iteration GETs
the form, reads the captcha answer from the store (as a person would read the picture), and
POSTs the report.
Prints completed submissions/s, latency p50/p99 of the POST, and failures. Stops by itself.

Every report comes from 127.0.0.1 the moment its form is served, which the form's spam checks
refuse; the benchmark raises those limits explicitly (REPORT_MIN_SECONDS=0 and a very high
REPORT_RATE_LIMIT), so it measures storing reports, not refusing them.
"""

import argparse
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness


class Failed(Exception):
    """A submission that did not end where it should; its message is counted as the reason."""


def timed_load(seconds, clients, new_client):
    """`clients` threads, each making its own client with new_client(), a function that makes
    one submission and returns the seconds of its timed request (or raises Failed), and calling
    it until `seconds` have passed; returns their summary()."""
    latencies, failures = [], []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client(_number):
        submit = new_client()
        while time.time() < stop_at:
            try:
                elapsed = submit()
            except Failed as failure:
                failures.append(str(failure))
                continue
            except Exception as error:  # counted; the benchmark reports, it does not stop
                failures.append(type(error).__name__)
                continue
            with lock:
                latencies.append(elapsed)

    wall = harness.run_clients(clients, client)
    return summary(latencies, wall, failures)


def run_scenario(base, store, seconds, clients, photo):
    """Reports sent for `seconds` by `clients` browsers: GET the form, POST it (timed), GET
    the receipt it redirects to."""

    def new_client():
        browser = harness.Browser(base)

        def submit():
            form = browser.get("/report/").text
            data = harness.report_data(
                form,
                store,
                "基准测试举报内容。" * 20,
                identity="named",
                reporter_name="测试",
                reporter_phone="13800138000",
            )
            files = {"evidence": ("photo.jpg", photo, "image/jpeg")} if photo else None
            started = time.perf_counter()
            response = browser.post("/report/", data, files=files)
            elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise Failed(f"HTTP {response.status_code}")
            if not harness.receipt_number(browser.get(response.headers["Location"]).text):
                raise Failed("no receipt")
            return elapsed

        return submit

    return timed_load(seconds, clients, new_client)


def summary(latencies, wall, failures):
    """Rate, latency percentiles (ms) and failures of one load run; `latencies` are the
    completed submissions' seconds."""
    p50, p99 = harness.percentiles(latencies)
    return {
        "rate": len(latencies) / wall,
        "count": len(latencies),
        "wall": wall,
        "latencies": sorted(latencies),
        "p50": p50,
        "p99": p99,
        "failures": len(failures),
        "reasons": collections.Counter(failures),
    }


def combine(results):
    """One result for several runs of the same load, as if they were one run."""
    return summary(
        [latency for result in results for latency in result["latencies"]],
        sum(result["wall"] for result in results),
        [reason for result in results for reason in result["reasons"].elements()],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 20, 5, 300, "duration of each scenario")
    harness.add_range_option(parser, "--clients", 8, 1, 64, "concurrent clients")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    harness.add_database_option(parser, "portal_bench")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        workdir = Path(tmp)
        port, env, database_url = harness.fresh_portal(
            workdir, args.database, sqlite=args.sqlite, **harness.RAISED_SPAM_LIMITS
        )
        with harness.serving(port, env):
            base = f"http://127.0.0.1:{port}"
            store = harness.CaptchaStore(database_url)
            photo = harness.photo_2mb()
            rows = [
                ("text only", run_scenario(base, store, args.seconds, args.clients, None)),
                (
                    f"with a {len(photo) / 1e6:.1f} MB photo",
                    run_scenario(base, store, args.seconds, args.clients, photo),
                ),
            ]

    engine = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"\nReport submissions through gunicorn (2 workers), {engine}, "
        f"{args.clients} clients, {args.seconds} s each"
    )
    print(
        f"{'scenario':<24}{'reports/s':>10}{'reports':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}"
    )
    for name, row in rows:
        print(
            f"{name:<24}{row['rate']:>10.1f}{row['count']:>9}{row['p50']:>9.0f}"
            f"{row['p99']:>9.0f}{row['failures']:>8}"
        )
    for name, row in rows:
        if row["reasons"]:
            print(f"failures ({name}):", dict(row["reasons"]))
    text, photo_row = rows[0][1], rows[1][1]
    if photo_row["rate"]:
        print(f"photo / text-only time per report: {text['rate'] / photo_row['rate']:.2f}x")


if __name__ == "__main__":
    main()
