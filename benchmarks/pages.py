#!/usr/bin/env python
"""The portal against a bare Django view, measured side by side in one run on this machine.

    .venv/bin/python benchmarks/pages.py [--seconds 15] [--connections 32] [--clients 8]
        [--report-seconds 45] [--skip-scale] [--only WORD[,WORD...]] [--database NAME]

Starts, each under the same gunicorn settings (gunicorn.conf.py, 2 workers) on
127.0.0.1:
- the anchor (benchmarks/anchor): a bare Django view, and a bare form with a captcha writing
  one row to PostgreSQL with persistent connections;
- the portal with its demo content on PostgreSQL (production settings), three times: page
  cache in process (the default), page cache off (PAGE_CACHE_SECONDS=0: every request renders)
  and page cache in Redis (REDIS_URL).
Loads each page with wrk (-t2 -c<connections>, sending a browser's `Accept-Encoding: gzip,
deflate, br` to every server alike), one server at a time, and report submissions with
benchmarks/report_submissions.py's clients (GET the form, read the captcha answer from its
store, POST, GET the receipt the POST redirects to). The anchor's form is loaded the same way:
GET, answer, POST, and the thank-you page its POST redirects to.
Each ratio is measured in turns: each page and the bare view in three rounds of a third of
<seconds> each, the one that leads changing each round, and the text-only report likewise
with the bare form, in rounds of a third of <report-seconds> (after 2 s of each, not
measured), so a shared host that slows down or speeds up during the run weighs on both sides
alike; the table adds the report's ratio round by round.
Then, unless --skip-scale, the supervisors' statistics and queue pages over 1,000,000 clues
with benchmarks/statistics_scale.py (its database is built the first time, a few minutes).
Prints one table: requests/s, p50, p99, each rate's ratio to the bare view's rounds, the
gunicorn workers' largest RSS and PSS (resident memory with the pages shared with the master
and the other worker divided among them), and each target with its verdict.
--only keeps the rows whose name contains one of the words ("search", "report", "home", ...)
and leaves out the rest, and the million clues with them; the targets of rows not measured are
not judged.
wrk comes from Debian (installed when missing and we are root). Stops by itself.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, report_submissions

ROOT = harness.ROOT

ANCHOR_DB = "bench_anchor"
# Redis database 15 is the benchmark's own: flushed before use.
REDIS_URL = "redis://127.0.0.1:6379/15"
# A cache miss must reach twice the rate of a stock `wagtail start` home page (0.08x bare
# measured by the issue on this machine): 0.17x bare, the bar the issue names.
MISS_BAR = 0.17
# What every browser sends; the same for the anchor and the portal.
BROWSER_ENCODINGS = "Accept-Encoding: gzip, deflate, br"


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt) ...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: install the Debian package wrk.")


def worker_rss_mb(server):
    """The largest resident memory (RSS, PSS) of the server's workers, in MB."""
    largest = [0, 0]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        rollup = Path(f"/proc/{pid}/smaps_rollup")
        if rollup.exists():
            text = rollup.read_text()
            for index, field in enumerate(("Rss", "Pss")):
                match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
                largest[index] = max(largest[index], int(match.group(1)) // 1024 if match else 0)
    return tuple(largest)


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, args, headers=()):
    """Requests/s, p50 ms, p99 ms and non-2xx answers of one wrk run."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", url]
    for header in (*headers, BROWSER_ENCODINGS):
        command[1:1] = ["-H", header]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=args.seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\n\s+50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\n\s+99%\s+(\S+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "p50": p50,
        "p99": p99,
        "failed": int(bad.group(1)) if bad else 0,
        "socket errors": errors.group(1) if errors else "",
    }


def prepare_anchor(workdir, database=ANCHOR_DB):
    """The anchor's environment, its database `database` recreated and migrated."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.anchor.settings",
        "ANCHOR_DATABASE_URL": harness.recreate_database(database),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return env


def anchor_form(base, seconds, clients, database=ANCHOR_DB):
    """The bare form, the way report_submissions posts a report: GET, answer, POST, and the
    page the POST redirects to."""
    store = harness.CaptchaStore(f"{harness.LOCAL_POSTGRES}/{database}")

    def new_client():
        session = requests.Session()

        def submit():
            form = session.get(f"{base}/form/", timeout=30).text
            key = re.search(r'name="captcha_0" value="([^"]+)"', form).group(1)
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            started = time.perf_counter()
            response = session.post(
                f"{base}/form/",
                data={
                    "csrfmiddlewaretoken": csrf,
                    "text": "基准测试举报内容。" * 20,
                    "captcha_0": key,
                    "captcha_1": store.answer(key),
                },
                allow_redirects=False,
                timeout=30,
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 302:
                raise report_submissions.Failed(f"HTTP {response.status_code}")
            # Followed to its thank-you page, as the portal's clients follow theirs to the
            # receipt: the same three requests on both sides.
            done = session.get(f"{base}{response.headers['Location']}", timeout=30).text
            if done != "thank you":
                raise report_submissions.Failed("no thank-you page")
            return elapsed

        return submit

    return report_submissions.timed_load(seconds, clients, new_client)


# Each portal page and the bare view, and the portal's text-only report and the anchor's form,
# are loaded in turns, ROUNDS of each, so a machine that slows down or speeds up during the
# run (a shared host) weighs on both sides of each ratio alike.
ROUNDS = 3


def merged(runs):
    """wrk runs of equal length as one: their mean rate, median p50, highest p99."""
    return {
        "rate": statistics.fmean(run["rate"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": max(run["p99"] for run in runs),
        "failed": sum(run["failed"] for run in runs),
    }


# Of submissions before the measured rounds, each side.
WARM_UP_SECONDS = 2


def round_seconds(args):
    return max(1, round(args.seconds / ROUNDS))


def report_round_seconds(args):
    return max(1, round(args.report_seconds / ROUNDS))


def in_turns(first, second):
    """first() and second() in ROUNDS rounds, the one that leads changing each round (so
    neither always follows the other's load); returns the results of each."""
    firsts, seconds = [], []
    for index in range(ROUNDS):
        if index % 2:
            seconds.append(second())
            firsts.append(first())
        else:
            firsts.append(first())
            seconds.append(second())
    return firsts, seconds


def page_against_bare(bare_url, page_url, args, headers):
    """A portal page and the bare view in turns; returns the page's wrk runs and the bare
    view's."""
    short = argparse.Namespace(**{**vars(args), "seconds": round_seconds(args)})
    bares, pages = in_turns(lambda: wrk(bare_url, short), lambda: wrk(page_url, short, headers))
    return pages, bares


def form_against_report(anchor_base, portal_base, store, args):
    """The bare form and the text-only report in turns; returns both results over all rounds
    (every submission of the rounds together) and the ratio of each round."""
    seconds = report_round_seconds(args)

    def form(seconds=seconds):
        return anchor_form(anchor_base, seconds, args.clients, f"{args.database}_anchor")

    def report(seconds=seconds):
        return report_submissions.run_scenario(portal_base, store, seconds, args.clients, None)

    # Unmeasured, as each page's first request above: the first submissions on each worker
    # pay once for what later ones find done (modules imported on first use, templates
    # compiled, statements prepared on each pooled connection), and only the portal's side
    # has much of it; without this, the first round's ratio was the lowest of the three.
    form(WARM_UP_SECONDS)
    report(WARM_UP_SECONDS)
    forms, reports = in_turns(form, report)
    rounds = [
        report["rate"] / form["rate"] if form["rate"] else float("nan")
        for form, report in zip(forms, reports, strict=True)
    ]
    return report_submissions.combine(forms), report_submissions.combine(reports), rounds


DISCOVER = """
import json
from law.models import LawPage
from content.models import StoryPage
from posters.models import EntryPoint
law = LawPage.objects.live().filter(locale__language_code="zh-hans").first()
story = StoryPage.objects.live().filter(locale__language_code="zh-hans").first()
poster = EntryPoint.objects.filter(active=True).first()
print(json.dumps({
    "law article": law.url + "article-1/",
    "hero story": story.url,
    "poster": poster.code,
}))
"""


def discover(env):
    """Addresses of a law article, a hero story and a poster of the demo content."""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DISCOVER],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def scale_rows(args):
    """The supervisors' pages over a million clues, from statistics_scale.py's own table."""
    wanted = {
        "statistics national month": "supervisor statistics, national, this month",
        "statistics hebei year": "supervisor statistics, province, a year",
        "statistics live national year": "supervisor statistics, national, a year typed in",
        "statistics live national three years": "supervisor statistics, national, three years",
        "queue supervisor national": "review queue, national supervisor",
        "queue intake hebei": "review queue, province intake",
    }
    command = [sys.executable, str(ROOT / "benchmarks" / "statistics_scale.py"), "--repeat", "5"]
    for name in wanted:
        command += ["--only", name]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        # The table of the other pages is still printed: it took most of the run.
        print(f"statistics_scale.py failed (exit {done.returncode}); its last lines:")
        print("\n".join(done.stderr.strip().splitlines()[-12:]), flush=True)
    rows = []
    for name, label in wanted.items():
        pattern = rf"^{re.escape(name)}\s+\d+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)"
        match = re.search(pattern, done.stdout, re.MULTILINE)
        rows.append((label, float(match.group(3)) if match else None))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 15, 3, 120, "wrk duration per page")
    harness.add_range_option(parser, "--connections", 32, 1, 256, "wrk connections")
    harness.add_range_option(parser, "--clients", 8, 1, 64, "report-submission clients")
    # Longer than a page's, since the target judges every round: a round of 5 s holds some 500
    # reports, and such rounds of one run differed by up to 0.16x; rounds of 15 s by 0.03x
    # and 0.10x in the two runs measured.
    harness.add_range_option(
        parser, "--report-seconds", 45, 3, 300, "text-only reports and bare form, all rounds"
    )
    parser.add_argument(
        "--skip-scale", action="store_true", help="leave out the million-clue pages"
    )
    parser.add_argument(
        "--only",
        type=only_words,
        default=None,
        metavar="WORD[,WORD...]",
        help='measure only the rows whose name contains one of these words, e.g. "search,report"',
    )
    harness.add_database_option(parser, "portal_bench", anchor=True)
    args = parser.parse_args()  # fmt: skip
    ensure_wrk()

    rows = []  # (group, name, result, ratio basis)
    rounds = []  # the text-only report's ratio to the bare form, round by round
    with tempfile.TemporaryDirectory(prefix="portal-pages-") as tmp:
        workdir = Path(tmp)
        log = workdir / "servers.log"  # every server's error log, to read when one fails
        print("preparing the anchor and the portal (migrate, demo content) ...", flush=True)
        anchor_env = prepare_anchor(workdir, f"{args.database}_anchor")
        port, portal_env, database_url = harness.fresh_portal(
            workdir, args.database, **harness.RAISED_SPAM_LIMITS
        )
        # With REDIS_URL the task queue is RQ, whose app has tables of its own: migrated once
        # here, or the Redis variant's readiness check finds migrations not applied.
        harness.manage({**portal_env, "REDIS_URL": REDIS_URL}, "migrate", "--noinput", "-v", "0")
        urls = discover(portal_env)
        pages = {
            "home": "/",
            "law article": urls["law article"],
            "hero story": urls["hero story"],
            "search": "/search/?q=%E9%BB%91%E6%81%B6",
        }
        pages = {name: path for name, path in pages.items() if wanted(args, name)}
        https = ["X-Forwarded-Proto: https"]

        anchor_port = harness.free_port()
        # The anchor has no readiness page: its bare view answering is its readiness.
        anchor_server = {"app": "benchmarks.anchor.wsgi:application", "ready_path": "/"}
        with harness.serving(anchor_port, anchor_env, log=log, **anchor_server) as anchor:
            anchor_base = f"http://127.0.0.1:{anchor_port}"
            bare_runs = []

            def measure(group, name, url, server):
                runs, bares = page_against_bare(f"{anchor_base}/", url, args, https)
                bare_runs.extend(bares)
                page, bare = merged(runs), merged(bares)
                rows.append((group, name, page, bare["rate"], worker_rss_mb(server)))

            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            variants = [
                ("in-process cache", {}),
                ("no page cache", {"PAGE_CACHE_SECONDS": "0"}),
                ("Redis cache", {"REDIS_URL": REDIS_URL}),
            ]
            for variant, extra in variants:
                # Each server on a port free now: the one used before may be taken since.
                port, variant_env = harness.on_new_port({**portal_env, **extra})
                with harness.serving(port, variant_env, log=log) as server:
                    print(f"portal, {variant} ...", flush=True)
                    base = f"http://127.0.0.1:{port}"
                    for name, path in pages.items():
                        requests.get(
                            base + path, headers={"X-Forwarded-Proto": "https"}, timeout=60
                        )
                        measure(variant, name, base + path, server)
                    if variant == "in-process cache" and wanted(args, "poster QR code"):
                        qr = f"{base}/r/{urls['poster']}/qr.png"
                        measure(variant, "poster QR code (PNG)", qr, server)
                    if variant == "in-process cache" and wanted(args, "report"):
                        store = harness.CaptchaStore(database_url)
                        form, text, rounds = form_against_report(anchor_base, base, store, args)
                        form_row = ("anchor", "bare captcha form, GET+POST+done", form)
                        form_row += (form["rate"], worker_rss_mb(anchor))
                        rss = worker_rss_mb(server)
                        rows.append((variant, "report, text only", text, form["rate"], rss))
                        photo = report_submissions.run_scenario(
                            base, store, args.seconds, args.clients, harness.photo_2mb()
                        )
                        rss = worker_rss_mb(server)
                        rows.append((variant, "report, 2 MB photo", photo, form["rate"], rss))
            anchors = []
            if bare_runs:
                bare = merged(bare_runs)
                rss = worker_rss_mb(anchor)
                anchors.append(("anchor", "bare Django view", bare, bare["rate"], rss))
            if wanted(args, "report"):
                anchors.append(form_row)
            rows[:0] = anchors
        redis.Redis.from_url(REDIS_URL).flushdb()

    scale = [] if args.skip_scale or args.only else scale_rows(args)
    print_table(rows, scale, args, rounds)
    if rounds:
        print(
            "report, text only / bare form, round by round: "
            + ", ".join(f"{ratio:.2f}x" for ratio in rounds)
        )


def only_words(value):
    words = [word.strip() for word in value.split(",") if word.strip()]
    if not words:
        raise argparse.ArgumentTypeError("give at least one word, e.g. search,report")
    return words


def wanted(args, name):
    return args.only is None or any(word in name for word in args.only)


def print_table(rows, scale, args, rounds):
    by_name = {(group, name): (result, basis) for group, name, result, basis, _rss in rows}
    print(
        f"\nPages through gunicorn (2 workers) on 127.0.0.1, wrk -t2 -c{args.connections}, "
        f"{ROUNDS} rounds of {round_seconds(args)} s per page taking turns with the bare view; "
        f"report submissions with {args.clients} clients, taking turns with the bare form in "
        f"{ROUNDS} rounds of {report_round_seconds(args)} s; one run"
    )
    header = f"{'server':<18}{'page':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x bare':>8}"
    print(header + f"{'RSS MB':>8}{'PSS MB':>8}{'failed':>8}")
    for group, name, result, basis, (rss, pss) in rows:
        print(
            f"{group:<18}{name:<30}{result['rate']:>9.1f}{result['p50']:>9.1f}"
            f"{result['p99']:>9.1f}{result['rate'] / basis:>8.2f}{rss:>8}{pss:>8}"
            f"{result.get('failed', result.get('failures', 0)):>8}"
        )
    for group, name, result, _basis, _rss in rows:
        if result.get("reasons"):
            print(f"failures ({group}, {name}):", dict(result["reasons"]))
    for label, seconds in scale:
        measured = "not measured" if seconds is None else f"median {seconds:.3f} s"
        print(f"{'1M clues':<18}{label:<48}{measured}")

    def ratio(group, name):
        result, basis = by_name[(group, name)]
        return result["rate"] / basis

    checks = []  # (target, measured, met)

    def at_least(label, group, name, bar):
        if (group, name) in by_name:
            value = ratio(group, name)
            checks.append((label, f"{value:.2f}x", value >= bar))

    for page in ("home", "law article", "hero story"):
        for group, bar in (("in-process cache", 0.95), ("Redis cache", 0.6)):
            at_least(f"cached {page}, {group} >= {bar}x bare", group, page, bar)
        label = f"cache miss {page} >= {MISS_BAR:.2f}x bare (2x stock Wagtail)"
        at_least(label, "no page cache", page, MISS_BAR)
    # Search answers a repeated query from the page cache, and renders a new one.
    at_least("search, repeated query >= 0.9x bare", "in-process cache", "search", 0.9)
    at_least("search, uncached >= 0.1x bare", "no page cache", "search", 0.1)
    if rounds:
        lowest = min(rounds)
        checks.append(
            ("report, text only >= 0.75x bare form, every round", f"{lowest:.2f}x", lowest >= 0.75)
        )
    if ("in-process cache", "report, 2 MB photo") in by_name:
        text = by_name[("in-process cache", "report, text only")][0]["rate"]
        photo = by_name[("in-process cache", "report, 2 MB photo")][0]["rate"]
        slower = text / photo if photo else float("inf")
        label = "report with a photo within 2x of text only"
        checks.append((label, f"{slower:.2f}x", slower <= 2))
    portal_rss = [rss for group, _name, _result, _basis, (rss, _pss) in rows if group != "anchor"]
    if portal_rss:
        largest = max(portal_rss)
        checks.append(("portal worker RSS <= 150 MB", f"{largest} MB", largest <= 150))
    for label, seconds in scale:
        limit = 0.5 if "statistics" in label else 0.2
        if seconds is None:
            checks.append((f"{label} < {limit} s", "none", False))
        else:
            checks.append((f"{label} < {limit} s", f"{seconds:.3f} s", seconds < limit))
    print(f"\n{'target':<64}{'measured':>10}  verdict")
    for label, measured, met in checks:
        print(f"{label:<64}{measured:>10}  {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
