#!/usr/bin/env python
"""Database restart drill: PostgreSQL restarts in the middle of a load run.

    .venv/bin/python drills/db_restart.py [--reports 300] [--clients 20] [--down 5]

Starts its own PostgreSQL cluster (initdb in a temporary folder, its own port) and gunicorn,
sends reports with a photo from concurrent clients, and once a third of them are stored stops
the database (pg_ctl stop -m fast: open transactions are rolled back, connections cut) for
--down seconds, then starts it again. Each client acts as a person: a "try again" page is read
(it must hold the text), then sent again from that page; a form asking for a new captcha is
answered. Five more people press "send" just as the database stops. Nothing is restarted or
cleared by hand.

PASS: every answer was a receipt whose clue exists afterwards or a "try again" page holding
the reporter's text; no clue without its files and no file without its clue; every report in
the end got its receipt, each stored once; the portal served the form again within 10 s of
the database returning.
"""

import argparse
import collections
import re
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness

TEXT_PREFIX = "重启演练"
RECOVERY_LIMIT_SECONDS = 10
PROBES = 5


def hidden_fields(page):
    data = collections.defaultdict(list)
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        data[name].append(value)
    return data


def textarea(page):
    match = re.search(r'name="what_happened"[^>]*>\s*([^<]*)</textarea>', page)
    return match.group(1) if match else ""


class Person:
    """One reporter sending one report until a receipt is shown (or 12 tries)."""

    def __init__(self, browser, store, index, log):
        self.browser, self.store, self.index, self.log = browser, store, index, log
        self.text = f"{TEXT_PREFIX} {index} " + "内容。" * 40

    def answer(self, kind, response, detail=""):
        self.log.append(
            {"index": self.index, "kind": kind, "status": response.status_code, "detail": detail}
        )

    def form(self):
        for _try in range(40):
            page = self.browser.get("/report/")
            if page.status_code == 200 and harness.field("submission_token", page.text):
                return page.text
            self.answer("form unavailable" if page.status_code == 503 else "other", page)
            time.sleep(0.5)
        raise RuntimeError("the form never came back")

    def receipt(self, location):
        for _try in range(30):
            page = self.browser.get(location)
            number = harness.receipt_number(page.text)
            if number:
                self.answer("receipt", page, number)
                return number
            if page.status_code == 503 and 'href="/report/receipt/"' in page.text:
                # "Stored; reload for the receipt": reload, as the page asks.
                self.answer("receipt later, reload", page)
                time.sleep(1)
                continue
            self.answer("other", page, page.text[:200])
            return None
        return None

    def prepare(self):
        """The form filled in and the captcha read, ready to send."""
        return harness.report_data(self.form(), self.store, self.text)

    def send(self, data=None):
        data = data or self.prepare()
        files = {"evidence": ("photo.jpg", harness.small_photo(self.index), "image/jpeg")}
        for _try in range(12):
            response = self.browser.post("/report/", data, files=files)
            if response.status_code == 302:
                return self.receipt(response.headers["Location"])
            page = response.text
            if response.status_code == 503 and textarea(page).strip() == self.text.strip():
                # "Try again": send what the page holds, after a pause, as a person would.
                self.answer("try again, text kept", response)
                data = dict(hidden_fields(page))
                data["what_happened"] = textarea(page)
                files = files if 'type="file"' in page else None
                time.sleep(1)
                continue
            if response.status_code == 400 and self.text in page:
                # The failed attempt used up its captcha: the form, all kept, asks a new one.
                self.answer("form kept, new captcha", response)
                data = {**hidden_fields(page), "what_happened": self.text}
                data.update(harness.report_data(page, self.store, self.text))
                data["submission_token"] = harness.field("submission_token", page)
                files = None
                continue
            self.answer("other", response, textarea(page)[:60] + " | " + str(sorted(data))[:300])
            time.sleep(1)
        return None


def run_load(base, store, reports, clients, log, receipts):
    lock = threading.Lock()
    tickets = harness.Tickets(reports)

    def client(_number):
        browser = harness.Browser(base)
        while (index := tickets.next()) is not None:
            try:
                number = Person(browser, store, index, log).send()
            except Exception as error:  # counted; the drill reports, it does not stop
                log.append(
                    {
                        "index": index,
                        "kind": "other",
                        "status": None,
                        "detail": type(error).__name__,
                    }
                )
                number = None
            with lock:
                receipts[index] = number

    return harness.start_clients(clients, client)


def stored_count(url):
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            return conn.execute(
                "SELECT count(*) FROM reporting_clue WHERE what_happened LIKE %s",
                (TEXT_PREFIX + "%",),
            ).fetchone()[0]
    except psycopg.OperationalError:
        return 0


def serves_again(base):
    """Seconds until /readyz/ and the report form both answer 200."""
    began = time.time()
    browser = harness.Browser(base)
    while time.time() - began < 60:
        try:
            ready = browser.get("/readyz/").status_code == 200
            if ready and browser.get("/report/").status_code == 200:
                return time.time() - began
        except Exception:  # not back yet
            pass
        time.sleep(0.1)
    return float("inf")


def afterwards(url, private_root):
    with psycopg.connect(url) as conn:
        clues = dict(
            conn.execute(
                "SELECT tracking_number, id FROM reporting_clue WHERE what_happened LIKE %s",
                (TEXT_PREFIX + "%",),
            ).fetchall()
        )
        without_files = _common.clues_without_files(conn, TEXT_PREFIX)
        names = _common.evidence_names(conn)
    missing = sum(not (Path(private_root) / name).is_file() for name in names)
    on_disk = _common.evidence_on_disk(private_root)
    return {
        "clues": clues,
        "without_files": without_files,
        "missing_files": missing,
        "orphan_files": len(on_disk - names),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--down", type=float, default=5, help="seconds the database is down")
    parser.add_argument("--log", help="append gunicorn's error log (tracebacks) to this file")
    args = parser.parse_args()
    log, receipts = [], {}

    with (
        _common.workspace("portal-drill-dbrestart-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        with _common.served_portal(workdir, cluster, log=args.log) as base:
            began = time.time()
            store = harness.CaptchaStore(cluster.url)
            threads = run_load(base, store, args.reports, args.clients, log, receipts)
            while stored_count(cluster.url) < args.reports // 3 and time.time() - began < 120:
                time.sleep(0.2)
            stored_before = stored_count(cluster.url)
            # A few people press "send" while the database is down, whatever the timing of
            # the others' requests.
            probes = [
                Person(harness.Browser(base), store, args.reports + n, log) for n in range(PROBES)
            ]
            filled = [person.prepare() for person in probes]
            stopped_at = time.time() - began
            cluster.stop("fast")
            sending = [
                threading.Thread(
                    target=lambda p, d: receipts.__setitem__(p.index, p.send(d)),
                    args=(person, data),
                )
                for person, data in zip(probes, filled, strict=True)
            ]
            for thread in sending:
                thread.start()
            time.sleep(args.down)
            cluster.start()
            back_at = time.time() - began
            recovery = serves_again(base)
            for thread in threads + sending:
                thread.join()
            wall = time.time() - began
        found = afterwards(cluster.url, workdir / "private")

    kinds = collections.Counter(entry["kind"] for entry in log)
    others = [entry for entry in log if entry["kind"] == "other"]
    shown = {number for number in receipts.values() if number}
    unknown_receipts = shown - set(found["clues"])

    print(
        f"\nDatabase restart drill: {args.reports} reports with a photo, {args.clients} "
        f"clients; database stopped at {stopped_at:.1f} s ({stored_before} stored), "
        f"down {args.down:.0f} s, back at {back_at:.1f} s; {wall:.1f} s in all"
    )
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:<28}{count:6}")
    total = args.reports + PROBES
    print(f"  reports ending with a receipt {len(shown):4} of {total}")
    print(f"  clues stored                  {len(found['clues']):4}")
    print(f"  receipts with no clue         {len(unknown_receipts):4}")
    print(f"  clues without their files     {found['without_files']:4}")
    print(f"  evidence rows without a file  {found['missing_files']:4}")
    print(f"  files without a clue          {found['orphan_files']:4}")
    print(f"  serving again after           {recovery:6.1f} s")
    for entry in others[:10]:
        print("  other answer:", entry)

    verdict = _common.Verdict("Database restart drill")
    verdict.check("every answer a receipt or a 'try again' page holding the text", not others)
    verdict.check("every receipt's clue exists afterwards", not unknown_receipts)
    verdict.check(
        "every report got its receipt in the end, stored once",
        len(shown) == total == len(found["clues"]),
    )
    verdict.check(
        "no clue without its files, no file without its clue",
        not (found["without_files"] or found["missing_files"] or found["orphan_files"]),
    )
    verdict.check(
        f"serving again within {RECOVERY_LIMIT_SECONDS} s of the database returning",
        recovery <= RECOVERY_LIMIT_SECONDS,
    )
    verdict.check("the database was in fact down mid-load", 0 < stored_before < args.reports)
    verdict.check(
        f"the {PROBES} reports sent while it was down got the 'try again' page",
        kinds["try again, text kept"] >= PROBES,
    )
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
