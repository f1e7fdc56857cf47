#!/usr/bin/env python
"""Fuzz the public report form through gunicorn: 10,000 posts with random and adversarial
fields, and 0 answers of 500 or above.

    .venv/bin/python drills/fuzz_report_form.py [--posts 10000] [--clients 4] [--sqlite]

Starts its own gunicorn (2 workers, production settings) on 127.0.0.1 against a fresh
PostgreSQL database (drill_fuzz on the local server, dropped at the end; --sqlite for a file
instead), loads the demo data, then posts. Each post GETs the form, reads the captcha answer
from its store (as a person reads the picture) and POSTs the form with some fields replaced:
huge values, binary, mixed scripts, control characters, SQL and template injection strings,
repeated fields, unknown fields, bad files (the bad-upload corpus of tests/hostile) or a body
that is not a form at all. Counts the answers by status; PASS when every post was answered
and none with 5xx. Stops by itself: after the posts, or at --max-minutes.

The form's spam checks would refuse a stream of posts from one address; the drill raises them
explicitly (REPORT_MIN_SECONDS=0, a very high REPORT_RATE_LIMIT), as docs/security.md says a
load test must, so every post reaches the checks of the fields.
"""

import argparse
import collections
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness

DATABASE = "drill_fuzz"

ADVERSARIAL = [
    "' OR '1'='1",
    "'; DROP TABLE reporting_clue; --",
    "1 UNION SELECT password FROM portal_user--",
    "1); SELECT pg_sleep(5)--",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% include '/etc/passwd' %}",
    "${7*7}",
    "<%= 7*7 %>",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    "\r\n\r\nSet-Cookie: x=1",
    "\u202egnp.exe",
    "\ufeff\u200b\u200d",
    "黑恶势力 保护伞",
    "٠١٢٣٤٥٦٧٨٩",
    "１３８００１３８０００",
    "../../../../etc/passwd",
    "%00%0a",
    "%s%s%n",
    "NaN",
    "-1",
    "99999999999999999999999999999",
    "2025-02-30",
    "\x1b[31m",
    "\x7f\x80\x9f",
]
SCRIPTS = [
    (0x20, 0x7E),
    (0x4E00, 0x9FFF),
    (0x0600, 0x06FF),
    (0x0400, 0x04FF),
    (0x1F300, 0x1FAFF),
    (0x0E00, 0x0E7F),
    (0x3040, 0x30FF),
    (0x0590, 0x05FF),
    (0x1D400, 0x1D7FF),
]
FIELDS = [
    "category", "region", "what_happened", "when", "when_start", "when_end", "where",
    "officials_shield", "shield_details", "identity", "reporter_name", "reporter_phone",
    "reporter_id_number", "reporter_contact_time", "agree", "entry", "homepage", "captcha_0",
    "captcha_1", "submission_token", "issued", "party-TOTAL_FORMS", "party-INITIAL_FORMS",
    "party-0-name", "party-0-description", "party-0-role", "remove_staged", "refresh_captcha",
    "add_party",
]  # fmt: skip


class Hostile:
    """Random hostile values from one seeded generator per client."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def mixed(self, length):
        out = []
        for _ in range(length):
            low, high = self.rng.choice(SCRIPTS)
            out.append(chr(self.rng.randint(low, high)))
        return "".join(out)

    def control(self, length):
        return "".join(
            chr(self.rng.choice([*range(32), 0x7F, 0x85, 0x2028])) for _ in range(length)
        )

    def value(self):
        rng = self.rng
        pick = rng.random()
        if pick < 0.3:
            return rng.choice(ADVERSARIAL)
        if pick < 0.5:
            return self.mixed(rng.randint(0, 300))
        if pick < 0.6:
            return self.control(rng.randint(1, 40))
        if pick < 0.7:
            # Binary: raw bytes, sent as they are (requests does not re-encode bytes).
            return rng.randbytes(rng.randint(1, 2000))
        if pick < 0.73:
            # Huge: beyond each field's limit, and now and then beyond the 2.5 MB Django
            # reads as form data (rarely: they are what makes a post slow).
            return (
                rng.choice(["A", "黑", "\x00", "'"])
                * rng.choices([10_001, 100_000, 1_000_000, 2_700_000], weights=[60, 30, 7, 3])[0]
            )
        return "".join(rng.choice(ADVERSARIAL) + self.mixed(3) for _ in range(rng.randint(2, 6)))


def read_form(html):
    def field(name):
        return harness.field(name, html) or ""

    category = re.search(r'name="category" value="(\d+)"', html)
    return {
        "csrfmiddlewaretoken": field("csrfmiddlewaretoken"),
        "captcha_0": field("captcha_0"),
        "submission_token": field("submission_token"),
        "issued": field("issued"),
        "category": category.group(1) if category else "1",
    }


def valid_fields(form, answer):
    return {
        **form,
        "captcha_1": answer,
        "region": "130200",
        "what_happened": "演练：有人在市场强买强卖。",
        **harness.PLAIN_ANSWERS,
    }


def one_post(browser, store, hostile, corpus):
    """One GET and one hostile POST; returns (kind of post, status)."""
    rng = hostile.rng
    page = browser.get("/report/", timeout=60)
    if page.status_code >= 500:
        return "form page", page.status_code
    form = read_form(page.text)
    data = valid_fields(form, store.answer(form["captcha_0"]))
    files = None
    kind = rng.choices(
        ["some fields", "every field", "repeated and unknown", "files", "not a form"],
        weights=[55, 15, 10, 15, 5],
    )[0]
    if kind == "some fields":
        for name in rng.sample(FIELDS, rng.randint(1, 4)):
            data[name] = hostile.value()
    elif kind == "every field":
        data = {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]}
        data.update({name: hostile.value() for name in FIELDS if rng.random() < 0.8})
    elif kind == "repeated and unknown":
        for name in rng.sample(FIELDS, 3):
            data[name] = [hostile.value() for _ in range(rng.randint(2, 4))]
        for _ in range(rng.randint(1, 5)):
            data[hostile.mixed(rng.randint(1, 30))] = hostile.value()
    elif kind == "files":
        files = []
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.6:
                bad = rng.choice(corpus)
                files.append(("evidence", (bad.name, bad.data)))
            else:
                name = rng.choice(["a.jpg", "b.pdf", hostile.mixed(20), "x" * 500, "\x00.png"])
                files.append(("evidence", (name, rng.randbytes(rng.randint(0, 50_000)))))
    if kind == "not a form":
        body = rng.randbytes(rng.randint(0, 20_000))
        content_type = rng.choice(
            [
                "multipart/form-data; boundary=x",
                "multipart/form-data",
                "application/x-www-form-urlencoded",
                "text/plain",
                "multipart/form-data; boundary=" + "b" * 200,
            ]
        )
        response = browser.post(
            "/report/", body, headers={"Content-Type": content_type}, timeout=120
        )
    else:
        response = browser.post("/report/", data, files=files, timeout=120)
    return kind, response.status_code


def exceptions_in(log):
    """The exceptions the server logged with a traceback, counted by their last line."""
    found = collections.Counter()
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("Traceback"):
            continue
        for after in lines[index + 1 :]:
            if after and not after[0].isspace() and not after.startswith("Traceback"):
                found[after[:160]] += 1
                break
    return found


def run(base, store, args, corpus):
    statuses, by_kind, errors = collections.Counter(), collections.Counter(), collections.Counter()
    server_errors = collections.Counter()
    lock = threading.Lock()
    tickets = harness.Tickets(args.posts)
    stop_at = time.time() + args.max_minutes * 60

    def client(number):
        browser = harness.Browser(base)
        hostile = Hostile(args.seed * 1000 + number)
        while time.time() < stop_at and tickets.next() is not None:
            try:
                kind, status = one_post(browser, store, hostile, corpus)
            except requests.RequestException as error:  # counted, the drill goes on
                kind, status = "transport", type(error).__name__
            with lock:
                if isinstance(status, str):
                    errors[status] += 1
                else:
                    statuses[status] += 1
                    by_kind[kind] += 1
                    if status >= 500:
                        server_errors[(kind, status)] += 1

    seconds = harness.run_clients(args.clients, client)
    return statuses, by_kind, errors, server_errors, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to send (10000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--max-minutes", type=float, default=60, help="stop after this long whatever is left"
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()

    # The corpus of bad uploads the tests use, made in memory.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    from tests.hostile.bad_uploads import corpus

    bad_files = corpus()
    with tempfile.TemporaryDirectory(prefix="portal-drill-") as tmp:
        workdir = Path(tmp)
        # A drill of the fields, not of the flood defences (docs/security.md).
        port, env, database_url = harness.fresh_portal(
            workdir, DATABASE, sqlite=args.sqlite, **harness.RAISED_SPAM_LIMITS
        )
        log_path = workdir / "gunicorn.log"
        with harness.serving(port, env, log=log_path):
            store = harness.CaptchaStore(database_url)
            statuses, by_kind, errors, server_errors, seconds = run(
                f"http://127.0.0.1:{port}", store, args, bad_files
            )
        log_text = log_path.read_text(errors="replace")
        tracebacks = exceptions_in(log_text)
        # What Django logs for an unhandled exception; refusals (400) log tracebacks too.
        crashes = log_text.count("Internal Server Error")
        if not args.sqlite:
            with psycopg.connect(f"{harness.LOCAL_POSTGRES}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    answered = sum(statuses.values())
    five_hundreds = sum(count for status, count in statuses.items() if status >= 500)
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"\nFuzzing the report form through gunicorn (2 workers), {engine}, "
          f"{args.clients} clients, seed {args.seed}")  # fmt: skip
    print(f"posts sent: {answered + sum(errors.values())} of {args.posts} in {seconds:.0f} s "
          f"({answered / max(seconds, 1e-9):.1f}/s)")  # fmt: skip
    print("answers by status:", dict(sorted(statuses.items())))
    print("posts by kind:", dict(sorted(by_kind.items())))
    print("transport errors:", dict(errors) or 0)
    print("5xx answers:", five_hundreds, dict(server_errors) if server_errors else "")
    print("server errors in the log:", crashes)
    print("tracebacks in the server log (refusals included):", sum(tracebacks.values()))
    for line, count in tracebacks.most_common(10):
        print(f"  {count} x {line}")
    passed = answered == args.posts and not five_hundreds and not errors and not crashes
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
