#!/usr/bin/env python
"""Load drill: 1,000 report submissions from 50 concurrent clients.

    .venv/bin/python drills/load.py [--reports 1000] [--clients 50]

Starts its own PostgreSQL cluster and gunicorn (2 workers, production settings) on
127.0.0.1, loads the demo data, then every client GETs the form, reads the captcha answer from
the store, and POSTs a report with a small photo, until the reports are all sent. Counts
receipts shown, clues stored, distinct tracking numbers, files stored, 5xx answers and the
POST's latency. PASS: receipts = clues = distinct numbers = reports, every file on disk, no 5xx.
"""

import argparse
import collections
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness


def run_load(base, store, reports, clients, text_prefix):
    """Send `reports` reports from `clients` threads; returns what each one saw."""
    outcomes = []
    lock = threading.Lock()
    tickets = harness.Tickets(reports)

    def client(_number):
        browser = harness.Browser(base)
        while (index := tickets.next()) is not None:
            outcome = {"index": index, "statuses": [], "receipt": None, "error": None}
            try:
                form = browser.get("/report/")
                outcome["statuses"].append(form.status_code)
                text = f"{text_prefix} {index} " + "内容。" * 40
                data = harness.report_data(form.text, store, text)
                photo = ("photo.jpg", harness.small_photo(index), "image/jpeg")
                started = time.perf_counter()
                response = browser.post("/report/", data, files={"evidence": photo})
                outcome["latency"] = time.perf_counter() - started
                outcome["statuses"].append(response.status_code)
                if response.status_code == 302:
                    page = browser.get(response.headers["Location"])
                    outcome["statuses"].append(page.status_code)
                    outcome["receipt"] = harness.receipt_number(page.text)
            except Exception as error:  # counted; the drill reports, it does not stop
                outcome["error"] = type(error).__name__
            with lock:
                outcomes.append(outcome)

    harness.run_clients(clients, client)
    return outcomes


def stored(database_url, private_root, text_prefix):
    """Clues and files in the database and on disk for this drill's reports."""
    with psycopg.connect(database_url) as conn:
        clues = conn.execute(
            "SELECT tracking_number FROM reporting_clue WHERE what_happened LIKE %s",
            (text_prefix + "%",),
        ).fetchall()
        files = conn.execute(
            "SELECT e.clue_id, e.file, e.original_file FROM reporting_evidence e "
            "JOIN reporting_clue c ON c.id = e.clue_id WHERE c.what_happened LIKE %s",
            (text_prefix + "%",),
        ).fetchall()
        without_files = _common.clues_without_files(conn, text_prefix)
    names = [name for _clue, *pair in files for name in pair if name]
    on_disk = sum((Path(private_root) / name).is_file() for name in names)
    return {
        "numbers": [number for (number,) in clues],
        "evidence_rows": len(files),
        "file_names": len(names),
        "files_on_disk": on_disk,
        "clues_without_files": without_files,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    text_prefix = "负载演练"

    with (
        _common.workspace("portal-drill-load-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        with _common.served_portal(workdir, cluster) as base:
            began = time.time()
            outcomes = run_load(
                base,
                harness.CaptchaStore(cluster.url),
                args.reports,
                args.clients,
                text_prefix,
            )
            wall = time.time() - began
        found = stored(cluster.url, workdir / "private", text_prefix)

    receipts = [o["receipt"] for o in outcomes if o["receipt"]]
    five_xx = sum(status >= 500 for o in outcomes for status in o["statuses"])
    errors = collections.Counter(o["error"] for o in outcomes if o["error"])
    p50, p99 = harness.percentiles([o["latency"] for o in outcomes if "latency" in o])

    print(
        f"\nLoad drill: {args.reports} reports with a photo, {args.clients} clients, "
        "gunicorn (2 workers), PostgreSQL, 127.0.0.1"
    )
    print(f"  wall time                 {wall:8.1f} s ({len(outcomes) / wall:.1f} reports/s)")
    print(f"  receipts shown            {len(receipts):8}")
    print(f"  clues stored              {len(found['numbers']):8}")
    print(
        f"  distinct tracking numbers {len(set(found['numbers'])):8} "
        f"(receipts: {len(set(receipts))})"
    )
    print(f"  evidence rows             {found['evidence_rows']:8}")
    print(f"  files stored on disk      {found['files_on_disk']:8} of {found['file_names']}")
    print(f"  clues without files       {found['clues_without_files']:8}")
    print(f"  5xx responses             {five_xx:8}")
    print(f"  client errors             {sum(errors.values()):8} {dict(errors) or ''}")
    print(f"  POST latency p50 / p99    {p50:8.0f} / {p99:.0f} ms")

    verdict = _common.Verdict("Load drill")
    n = args.reports
    verdict.check(f"{n} receipts shown", len(receipts) == n)
    verdict.check(f"{n} clues stored", len(found["numbers"]) == n)
    verdict.check(
        f"{n} distinct tracking numbers, the ones the receipts showed",
        len(set(found["numbers"])) == n and set(receipts) == set(found["numbers"]),
    )
    verdict.check(
        "every evidence file on disk, every clue with its photo",
        found["files_on_disk"] == found["file_names"] >= n and not found["clues_without_files"],
    )
    verdict.check("no 5xx response", five_xx == 0)
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
