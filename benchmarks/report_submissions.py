#!/usr/bin/env python
"""Report submissions per second through gunicorn, text only and with a 2 MB photo.

    .venv/bin/python benchmarks/report_submissions.py [--seconds 20] [--clients 8]

Starts its own gunicorn (2 sync workers, production settings) on 127.0.0.1 against a fresh
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
import io
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def photo_2mb():
    rng = random.Random(42)
    image = Image.frombytes("RGB", (1600, 1200), rng.randbytes(1600 * 1200 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()


def prepare(args, workdir):
    port = free_port()
    if args.sqlite:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
            conn.execute(f'CREATE DATABASE "{args.database}"')
        database_url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "benchmark-only-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "REPORTER_ENCRYPTION_KEYS": "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1zZWNyZXQtMDE=",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "ERROR",
        # A load test, not a flood to stop (docs/security.md#spam-and-abuse).
        "REPORT_MIN_SECONDS": "0",
        "REPORT_RATE_LIMIT": "100000000",
    }
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["load_demo_content", "--allow-production"],
    ):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return port, env, database_url


def start_gunicorn(port, env):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz/", timeout=2).status_code == 200:
                return server
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a busy machine
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not become ready")


class CaptchaStore:
    """Reads answers straight from the captcha table, per thread."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.local = threading.local()

    def answer(self, key):
        if not hasattr(self.local, "conn"):
            if self.database_url.startswith("sqlite"):
                import sqlite3

                self.local.conn = sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
                self.local.sql = "SELECT response FROM captcha_captchastore WHERE hashkey = ?"
            else:
                self.local.conn = psycopg.connect(self.database_url, autocommit=True)
                self.local.sql = "SELECT response FROM captcha_captchastore WHERE hashkey = %s"
        row = self.local.conn.execute(self.local.sql, (key,)).fetchone()
        return row[0]


def run_scenario(base, store, seconds, clients, photo):
    latencies, failures = [], []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client():
        session = requests.Session()

        def headers():
            # As behind a TLS proxy: production cookies are Secure, so they are sent by hand
            # with the proxy's X-Forwarded-Proto (gunicorn trusts it from 127.0.0.1).
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            return {
                "X-Forwarded-Proto": "https",
                "Referer": base.replace("http://", "https://") + "/report/",
                "Cookie": cookie,
            }

        while time.time() < stop_at:
            try:
                form = session.get(f"{base}/report/", headers=headers(), timeout=30).text
                key = re.search(r'name="captcha_0" value="([^"]+)"', form).group(1)
                token = re.search(r'name="submission_token" value="([^"]+)"', form).group(1)
                issued = re.search(r'name="issued" value="([^"]+)"', form).group(1)
                csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
                data = {
                    "csrfmiddlewaretoken": csrf,
                    "category": re.search(r'name="category" value="(\d+)"', form).group(1),
                    "what_happened": "基准测试举报内容。" * 20,
                    "when": "unknown",
                    "officials_shield": "unknown",
                    "identity": "named",
                    "reporter_name": "测试",
                    "reporter_phone": "13800138000",
                    "agree": "on",
                    "party-TOTAL_FORMS": "1",
                    "party-INITIAL_FORMS": "0",
                    "party-0-name": "某人",
                    "captcha_0": key,
                    "captcha_1": store.answer(key),
                    "submission_token": token,
                    "issued": issued,
                }
                files = {"evidence": ("photo.jpg", photo, "image/jpeg")} if photo else None
                started = time.perf_counter()
                response = session.post(
                    f"{base}/report/",
                    data=data,
                    files=files,
                    allow_redirects=False,
                    headers=headers(),
                    timeout=60,
                )
                elapsed = time.perf_counter() - started
                if response.status_code != 302:
                    failures.append(f"HTTP {response.status_code}")
                    continue
                location = response.headers["Location"]
                receipt = session.get(f"{base}{location}", headers=headers(), timeout=30).text
                if 'id="tracking-number"' not in receipt:
                    failures.append("no receipt")
                    continue
                with lock:
                    latencies.append(elapsed)
            except Exception as error:  # counted; the benchmark reports, it does not stop
                failures.append(type(error).__name__)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.time() - began
    return summary(latencies, wall, failures)


def summary(latencies, wall, failures):
    """Rate, latency percentiles (ms) and failures of one load run; `latencies` are the
    completed submissions' seconds."""
    latencies = sorted(latencies)
    return {
        "rate": len(latencies) / wall,
        "count": len(latencies),
        "wall": wall,
        "latencies": latencies,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
        if latencies
        else float("nan"),
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
    parser.add_argument(
        "--seconds",
        type=int,
        default=20,
        choices=range(5, 301),
        metavar="5..300",
        help="duration of each scenario (default 20)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=8,
        choices=range(1, 65),
        metavar="1..64",
        help="concurrent clients (default 8)",
    )
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument(
        "--database",
        default="portal_bench",
        type=lambda name: re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name).group(0),
        help="PostgreSQL database to drop and create (default portal_bench)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        workdir = Path(tmp)
        port, env, database_url = prepare(args, workdir)
        server = start_gunicorn(port, env)
        try:
            base = f"http://127.0.0.1:{port}"
            store = CaptchaStore(database_url)
            photo = photo_2mb()
            rows = [
                ("text only", run_scenario(base, store, args.seconds, args.clients, None)),
                (
                    f"with a {len(photo) / 1e6:.1f} MB photo",
                    run_scenario(base, store, args.seconds, args.clients, photo),
                ),
            ]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    engine = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"\nReport submissions through gunicorn (2 sync workers), {engine}, "
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
