#!/usr/bin/env python
"""Storage full: the evidence storage refuses writes with ENOSPC.

    .venv/bin/python drills/storage_full.py

Needs root (mount). Mounts a 64 MB tmpfs as PRIVATE_MEDIA_ROOT, starts its own PostgreSQL
cluster and gunicorn, sends one report with a photo (stored), then fills the filesystem until
the kernel answers ENOSPC, and sends reports again: one with a photo, one text only. Then it
frees the space and sends the kept report again. Unmounts and cleans up when done.

PASS: with the storage full, the reporter gets a clear 503 page holding the text, no clue is
stored and no file is left on the storage without its clue; /readyz/ reports the storage
(status "degraded", still 200: reading and text-only reports go on working);
once space is back, /readyz/ is ready again and the report goes through.
"""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness

TEXT_PREFIX = "存储演练"


def fill(folder):
    """Write until the filesystem refuses; returns the bytes written and the error."""
    written = 0
    chunk = b"\0" * (1 << 20)
    with open(folder / "filler.bin", "wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(chunk)
            except OSError as error:
                return written, error


def send(browser, store, text, photo=None):
    form = browser.get("/report/").text
    data = harness.report_data(form, store, text)
    files = {"evidence": ("photo.jpg", photo, "image/jpeg")} if photo else None
    return browser.post("/report/", data, files=files)


def readiness(browser):
    response = browser.get("/readyz/")
    return response.status_code, response.json()


def evidence_state(url, private):
    with psycopg.connect(url) as conn:
        clues = conn.execute(
            "SELECT count(*) FROM reporting_clue WHERE what_happened LIKE %s",
            (TEXT_PREFIX + "%",),
        ).fetchone()[0]
        names = _common.evidence_names(conn)
    return clues, len(_common.evidence_on_disk(private) - names)


def main():
    if os.geteuid() != 0:
        raise SystemExit("This drill mounts a small filesystem and needs root.")
    with _common.workspace("portal-drill-storage-") as workdir:
        private = workdir / "private"
        private.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64m,mode=0750", "tmpfs", str(private)],
            check=True,
        )
        try:
            with (
                _common.running_cluster(workdir) as cluster,
                _common.served_portal(workdir, cluster) as base,
            ):
                browser = harness.Browser(base)
                store = harness.CaptchaStore(cluster.url)

                ready_before = readiness(browser)
                first = send(browser, store, f"{TEXT_PREFIX} 0 空间充足", harness.small_photo(0))
                first_receipt = harness.receipt_number(browser.get(first.headers["Location"]).text)

                filled, error = fill(private)
                ready_full = readiness(browser)
                clues_before, _orphans = evidence_state(cluster.url, private)
                text = f"{TEXT_PREFIX} 1 存储已满时发送的举报"
                full = send(browser, store, text, harness.small_photo(1))
                full_page = full.text
                text_only = send(browser, store, f"{TEXT_PREFIX} 2 只有文字")
                clues_after, orphans = evidence_state(cluster.url, private)

                (private / "filler.bin").unlink()
                ready_after = readiness(browser)
                # The reporter chooses the photo again, sends the kept form with a new captcha.
                again = browser.get("/report/").text
                data = harness.report_data(again, store, text)
                data["submission_token"] = harness.field("submission_token", full_page)
                data["issued"] = harness.field("issued", full_page)
                resent = browser.post(
                    "/report/",
                    data,
                    files={"evidence": ("photo.jpg", harness.small_photo(1), "image/jpeg")},
                )
                resent_receipt = (
                    harness.receipt_number(browser.get(resent.headers["Location"]).text)
                    if resent.status_code == 302
                    else None
                )
                clues_end, orphans_end = evidence_state(cluster.url, private)
        finally:
            subprocess.run(["umount", str(private)], check=False)

    print("\nStorage full drill: PRIVATE_MEDIA_ROOT on a 64 MB tmpfs")
    print(f"  /readyz/ before              {ready_before[0]} {json.dumps(ready_before[1])}")
    print(f"  first report (photo)         HTTP {first.status_code}, receipt {first_receipt}")
    print(f"  filled with {filled / 1e6:.1f} MB, then: {error}")
    print(f"  /readyz/ when full           {ready_full[0]} {json.dumps(ready_full[1])}")
    print(
        f"  report with a photo          HTTP {full.status_code}, text kept: {text in full_page}"
    )
    print(f"  report, text only            HTTP {text_only.status_code}")
    print(f"  clues before / after         {clues_before} / {clues_after}")
    print(f"  files without a clue         {orphans}")
    print(f"  /readyz/ after freeing       {ready_after[0]} {json.dumps(ready_after[1])}")
    print(f"  kept report sent again       HTTP {resent.status_code}, receipt {resent_receipt}")
    print(f"  clues at the end, orphans    {clues_end}, {orphans_end}")

    verdict = _common.Verdict("Storage full drill")
    verdict.check("ready, and a report stored, before", ready_before[0] == 200 and first_receipt)
    verdict.check("the filesystem refused with ENOSPC", error.errno == errno.ENOSPC)
    verdict.check(
        "a clear 503 page holding the reporter's text",
        full.status_code == 503 and text in full_page and "暂时无法保存您的文件" in full_page,
    )
    verdict.check(
        "no clue stored from the refused report",
        clues_after == clues_before + (1 if text_only.status_code == 302 else 0),
    )
    verdict.check("no file left without its clue", orphans == 0 and orphans_end == 0)
    verdict.check(
        "/readyz/ reports the evidence storage (degraded: pages and text reports still work)",
        ready_full[1].get("status") == "degraded"
        and ready_full[1].get("checks", {}).get("evidence_storage") == "failed",
    )
    verdict.check("a text-only report still goes through", text_only.status_code == 302)
    verdict.check(
        "ready again once space is back, and the kept report goes through",
        ready_after[0] == 200 and resent_receipt,
    )
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
