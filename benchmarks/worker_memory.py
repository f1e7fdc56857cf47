"""How large a gunicorn worker grows under load: its resident memory (RSS) after each round,
with the portal's gunicorn.conf.py as shipped.

    .venv/bin/python benchmarks/worker_memory.py [--load photo|text|pages] [--rounds 4]
        [--seconds 20] [--clients 16]

One worker with its 64 threads (gunicorn.conf.py), PostgreSQL. Each round sends for
--seconds from --clients browsers at once: reports with the 2 MB photo of the other
benchmarks (photo), text-only reports (text), or requests for the cached home page, its
English version and a search (pages). The worker's RSS is read after each round and once
the load has stopped. A worker that keeps growing round after round, or stays far above
its size after the first round, is the figure to watch: compose gives a web container 1 GB
for two workers.

GUNICORN_MALLOC_ARENAS=0 runs the same load without the arena cap of gunicorn.conf.py, to
compare.
"""

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, pages, report_submissions


def rss_mb(server):
    """The worker's RSS in MB (one worker: the largest is its own)."""
    return pages.worker_rss_mb(server)[0]


def page_load(base, seconds, clients):
    """Cached pages requested for `seconds` by `clients` at once, as report_submissions
    counts reports."""
    paths = ["/", "/en/", "/search/?q=%E9%BB%91%E6%81%B6"]

    def new_client():
        session = requests.Session()
        turn = [0]

        def fetch():
            turn[0] += 1
            started = time.perf_counter()
            response = session.get(
                base + paths[turn[0] % len(paths)],
                headers={"X-Forwarded-Proto": "https"},
                timeout=30,
            )
            if response.status_code != 200:
                raise report_submissions.Failed(f"HTTP {response.status_code}")
            return time.perf_counter() - started

        return fetch

    return report_submissions.timed_load(seconds, clients, new_client)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_range_option(parser, "--rounds", 4, 1, 20, "rounds of load")
    harness.add_range_option(parser, "--seconds", 20, 3, 300, "seconds per round")
    harness.add_range_option(parser, "--clients", 16, 1, 64, "browsers sending at once")
    parser.add_argument("--load", choices=("photo", "text", "pages"), default="photo")
    parser.add_argument(
        "--storage",
        choices=("local", "s3"),
        default="local",
        help="evidence and media in local folders, or in buckets of moto's S3 server",
    )
    harness.add_database_option(parser, "portal_memory")
    args = parser.parse_args()
    photo = harness.photo_2mb()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-memory-")))
        buckets = {}
        if args.storage == "s3":
            moto, buckets = harness.start_moto(
                {"S3_ACCESS_KEY_ID": "memory", "S3_SECRET_ACCESS_KEY": "memory-secret"},
                {"S3_MEDIA_BUCKET": "memory-media", "S3_PRIVATE_BUCKET": "memory-evidence"},
            )
            stack.callback(moto.wait)
            stack.callback(moto.terminate)
        print("preparing the portal (migrate, demo content) ...", flush=True)
        port, env, database_url = harness.fresh_portal(
            workdir, args.database, **harness.RAISED_SPAM_LIMITS, **buckets
        )
        store = harness.CaptchaStore(database_url)
        with harness.serving(port, env, workers=1, log=workdir / "server.log") as server:
            base = f"http://127.0.0.1:{port}"
            print(f"worker RSS when ready: {rss_mb(server)} MB", flush=True)
            for number in range(1, args.rounds + 1):
                if args.load == "pages":
                    result = page_load(base, args.seconds, args.clients)
                else:
                    chosen = photo if args.load == "photo" else None
                    result = report_submissions.run_scenario(
                        base, store, args.seconds, args.clients, chosen
                    )
                print(
                    f"round {number}: {result['rate']:.1f} {args.load} requests/s, "
                    f"{result['failures']} failed; worker RSS {rss_mb(server)} MB",
                    flush=True,
                )
            time.sleep(5)
            print(f"5 s after the load: worker RSS {rss_mb(server)} MB")


if __name__ == "__main__":
    main()
