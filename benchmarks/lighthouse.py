"""Lighthouse's four category scores (performance, accessibility, best practices, SEO) for the
home page, a law article and the report form, at Lighthouse's mobile profile (a mid-range
phone on a slow 4G line, simulated).

Starts its own gunicorn (2 workers, production settings, collected and compressed assets, the
demo content) on 127.0.0.1 with a SQLite file in a temporary folder, runs Lighthouse from npm
(benchmarks/lighthouse/package.json, installed with `npm ci` when missing) in Debian's
Chromium, prints a table and writes each full report to benchmarks/results/lighthouse/.

    .venv/bin/python benchmarks/lighthouse.py [--runs N]

With several runs, each score is the median: performance varies from run to run."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_DIR = ROOT / "benchmarks" / "lighthouse"
RESULTS = ROOT / "benchmarks" / "results" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home page": "/",
    "law article": "/law/article-1/",
    "report form": "/report/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# As in the browser suite: no calls home from a machine that may have no way out.
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(workdir, port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "benchmark-only-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "REPORTER_ENCRYPTION_KEYS": "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1zZWNyZXQtMDE=",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "SERVE_MEDIA": "true",
        "LOG_LEVEL": "ERROR",
    }
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["load_demo_content", "--allow-production"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return env


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
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz/", timeout=2):
                return server
        except OSError:  # not up yet
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not become ready")


def install_lighthouse():
    binary = NPM_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NPM_DIR,
            check=True,
        )
    return binary


def lighthouse(binary, url, name, run):
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{name.replace(' ', '-')}-{run}"
    subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--output=json",
            "--output=html",
            f"--output-path={stem}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    report = json.loads(Path(f"{stem}.report.json").read_text())
    return {key: report["categories"][key]["score"] for key in CATEGORIES}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, choices=range(1, 10))
    args = parser.parse_args()
    binary = install_lighthouse()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as folder:
        env = prepare(Path(folder), port)
        server = start_gunicorn(port, env)
        try:
            scores = {
                name: [
                    lighthouse(binary, f"http://127.0.0.1:{port}{path}", name, run)
                    for run in range(args.runs)
                ]
                for name, path in PAGES.items()
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nLighthouse, mobile profile, median of {args.runs} run(s); 0-100:")
    print(f"{'page':<14}" + "".join(f"{key:>16}" for key in CATEGORIES))
    for name, runs in scores.items():
        medians = [round(100 * statistics.median(r[key] for r in runs)) for key in CATEGORIES]
        print(f"{name:<14}" + "".join(f"{value:>16}" for value in medians))
    print(f"Full reports: {RESULTS}")


if __name__ == "__main__":
    main()
