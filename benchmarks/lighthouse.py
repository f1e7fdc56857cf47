"""Lighthouse's four category scores (performance, accessibility, best practices, SEO) for the
home page, a law article, the report form and a reporter's status page, at Lighthouse's
mobile profile (a mid-range phone on a slow 4G line, simulated).

Starts its own gunicorn (2 workers, production settings, collected and compressed assets, the
demo content) on 127.0.0.1 with a SQLite file in a temporary folder, runs Lighthouse from npm
(benchmarks/lighthouse/package.json, installed with `npm ci` when missing) in Debian's
Chromium, prints a table and writes each full report to benchmarks/results/lighthouse/. The
status page is measured as a reporter sees it: the demo report is unlocked with its tracking
number and access key first, and Lighthouse sends that session's cookie.

    .venv/bin/python benchmarks/lighthouse.py [--runs N]

With several runs, each score is the median: performance varies from run to run."""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness

ROOT = harness.ROOT
NPM_DIR = ROOT / "benchmarks" / "lighthouse"
RESULTS = ROOT / "benchmarks" / "results" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home page": "/",
    "law article": "/law/article-1/",
    "report form": "/report/",
    "status page": "/report/status/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# As in the browser suite: no calls home from a machine that may have no way out.
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def install_lighthouse():
    binary = NPM_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NPM_DIR,
            check=True,
        )
    return binary


def unlocked_status_cookie(env, port):
    """A session cookie for the demo report's status page. Loading the demo again gives the
    demo report a new access key and prints it, as the first command does for a newcomer."""
    printed = subprocess.run(
        [harness.PYTHON, "manage.py", "load_demo_content", "--allow-production"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"tracking number: ([\d ]+?)\s+access key: (\S+)", printed)
    if found is None:
        raise SystemExit(f"The demo report's receipt was not printed:\n{printed}")
    session = requests.Session()
    lookup = f"http://127.0.0.1:{port}/report/status/"
    form = session.get(lookup, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    unlocked = session.post(
        lookup,
        data={
            "csrfmiddlewaretoken": token,
            "tracking_number": found.group(1),
            "access_key": found.group(2),
        },
        headers={"Referer": lookup},
        timeout=30,
    )
    if "tracking_number" in unlocked.text and 'name="access_key"' in unlocked.text:
        raise SystemExit("The demo report's status page did not unlock.")
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def lighthouse(binary, url, name, run, cookie=None):
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{name.replace(' ', '-')}-{run}"
    completed = subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--output=json",
            "--output=html",
            f"--output-path={stem}",
            *([f"--extra-headers={json.dumps({'Cookie': cookie})}"] if cookie else []),
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        # --quiet keeps a good run's log out of the table; a failed one says why.
        raise SystemExit(f"Lighthouse failed on {url}:\n{completed.stderr[-3000:]}")
    report = json.loads(Path(f"{stem}.report.json").read_text())
    return {key: report["categories"][key]["score"] for key in CATEGORIES}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, choices=range(1, 10))
    args = parser.parse_args()
    binary = install_lighthouse()
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as folder:
        port, env, _url = harness.fresh_portal(
            Path(folder), "bench", sqlite=True, SERVE_MEDIA="true"
        )
        with harness.serving(port, env):
            cookie = unlocked_status_cookie(env, port)
            scores = {
                name: [
                    lighthouse(
                        binary,
                        f"http://127.0.0.1:{port}{path}",
                        name,
                        run,
                        cookie if name == "status page" else None,
                    )
                    for run in range(args.runs)
                ]
                for name, path in PAGES.items()
            }
    print(f"\nLighthouse, mobile profile, median of {args.runs} run(s); 0-100:")
    print(f"{'page':<14}" + "".join(f"{key:>16}" for key in CATEGORIES))
    for name, runs in scores.items():
        medians = [round(100 * statistics.median(r[key] for r in runs)) for key in CATEGORIES]
        print(f"{name:<14}" + "".join(f"{value:>16}" for value in medians))
    print(f"Full reports: {RESULTS}")


if __name__ == "__main__":
    main()
