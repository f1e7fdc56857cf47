#!/usr/bin/env python
"""The units' API under load beside a bare Django view: the clue list and the acknowledge.

    .venv/bin/python benchmarks/unit_api.py [--seconds 15] [--connections 32] [--writers 4]
        [--clues 1000] [--keep]

Recreates the database bench_unitapi on the local PostgreSQL (migrations, assets, demo
content, production settings), bulk-loads --clues clues transferred to the Tangshan city
office (each with its Transfer row and its ledger entries: received, accepted, transferred),
and issues that office an API key with the scopes read and act. The API's per-key rate limit
is raised (UNIT_API_REQUESTS_PER_MINUTE) so the run measures serving requests, not refusing
them.

Serves the portal and the bare Django view (benchmarks/anchor) with gunicorn on 127.0.0.1,
2 workers each, as pages.py does, then:
- list: wrk -t2 -c<connections> on GET /api/units/v1/clues?limit=20 with the key, taking
  turns with the bare view in three rounds of a third of <seconds> each, the one that leads
  changing each round;
- write: every clue in status transferred acknowledged once (POST
  /clues/{tracking_number}/acknowledge with its version in If-Match and a new
  Idempotency-Key), a tenth of them by one client, one at a time, then half the rest by
  <writers> client threads (a case system's sync job) and half by <connections> threads,
  each keeping its connection alive; the versions are read first by paging
  through the list, and the list read again afterwards must show each one acknowledged. The
  threads then GET the bare view as many times, which shows how much of the figure is the
  client's own.
Prints one table (req/s, p50, p99, ratio to the bare view under the same load, failures) and
the targets: the list at least 0.3x the bare view, the acknowledge's p99 under 100 ms (under
the threads' load), every acknowledge answered 200 and stored. Drops the database afterwards
unless --keep. wrk as pages.py installs it.
"""

import argparse
import http.client
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg
import requests
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, pages

ROOT = harness.ROOT
DATABASE = "bench_unitapi"
ANCHOR_DATABASE = "bench_unitapi_anchor"
API = "/api/units/v1"
TANGSHAN = "r130200"
# Far above what the run sends: the limit's refusals (429) would be measured instead.
RATE = 100_000_000  # calls a minute
LIST_BAR = 0.3
WRITE_P99_MS = 100
PAGE = 100  # the API's largest page, for reading every version in few requests


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 15, 3, 120, "wrk duration of the list")
    harness.add_range_option(
        parser, "--connections", 32, 1, 256, "wrk connections and write client threads"
    )
    harness.add_range_option(parser, "--clues", 1000, 100, 20_000, "clues in the unit")
    harness.add_range_option(
        parser, "--writers", 4, 1, 64, "client threads of the case system's write load"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# Fictional reports, put together from parts, so the clues' text differs in length and wording
# as a unit's real clues do rather than repeating one string the database compresses away.
PLACES = ["路南区菜市场", "路北区建材市场", "开平区某村", "丰润区客运站", "古冶区某小区",
          "曹妃甸区码头", "滦州市砂石场", "迁安市某工地", "遵化市某KTV",
          "丰南区物流园"]  # fmt: skip
DEEDS = [
    "有人强收“管理费”，不交就掀摊子、砸车窗",
    "一伙人放“套路贷”，借款人逾期后上门喷漆、堵门，深夜打电话骚扰家属",
    "村霸把持村务，强占集体土地，殴打提意见的村民",
    "有人垄断砂石运输，外地车辆进场就被拦截、扎胎",
    "几名男子以“看场子”为名向商户收保护费，多次持械斗殴",
    "有人强揽土方工程，威胁其他施工队退出，致使工程停工",
]
DETAILS = [
    "领头的人外号“光头”，开一辆黑色越野车，车牌记不清。",
    "已持续一年多，受害商户有十几家，大家都不敢报警。",
    "听说其中一人的亲戚在当地派出所工作，每次报警都不了了之。",
    "有现场照片和转账记录，可以提供。",
    "每次收钱都在月初，收钱的人有四五个，都穿黑衣服。",
    "去年有人不交钱，店铺玻璃被砸，人被打伤住院。",
]


def report_text(rng):
    parts = [f"（基准测试，虚构）{rng.choice(PLACES)}{rng.choice(DEEDS)}。"]
    parts += rng.sample(DETAILS, rng.randint(1, 3))
    return "".join(parts)


def load(count):
    """Run inside the portal (manage.py shell): clues transferred to the Tangshan office until
    it holds `count` (the demo's own among them), and an API key for it; prints the key as
    the last line."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from reporting.intake.receipts import new_tracking_number
    from reporting.lifecycle.scope import unit_clues
    from reporting.models import Category, Clue, LedgerEntry, Region, Transfer, Unit
    from unitapi.models import ApiKey

    rng = random.Random(20261206)
    unit = Unit.objects.get(code=TANGSHAN)
    hebei = unit.get_parent()
    intake = get_user_model().objects.get(username="intake-hebei")
    categories = list(Category.objects.all())
    regions = list(Region.objects.filter(path__startswith=unit.region.path, depth=3))
    now = timezone.now()
    missing = count - unit_clues(unit).count()
    numbers = set()
    while len(numbers) < missing:
        numbers.add(new_tracking_number())
    clues = []
    for number in sorted(numbers):
        received = now - timedelta(days=rng.uniform(1, 30))
        clue = Clue(
            tracking_number=number,
            access_key_hash="-",
            status=Clue.Status.TRANSFERRED,
            category=rng.choice(categories),
            region=rng.choice(regions),
            what_happened=report_text(rng),
            where=rng.choice(PLACES),
            language="zh-hans",
            submission_token=f"bench-unitapi-{number}",
            created_at=received,
            acknowledge_due_at=received + timedelta(days=7),
            feedback_due_at=received + timedelta(days=90),
            unit=unit,
        )
        # Accepted a day after it came in and transferred the day after.
        clue.transferred_at = received + timedelta(days=2)
        clues.append(clue)
    Clue.objects.bulk_create(clues, batch_size=1000)
    Transfer.objects.bulk_create(
        (
            Transfer(
                clue=clue,
                from_unit=hebei,
                to_unit=unit,
                mode=Transfer.Mode.NORMAL,
                deadline=clue.transferred_at + timedelta(days=60),
                created_by=intake,
                created_at=clue.transferred_at,
            )
            for clue in clues
        ),
        batch_size=1000,
    )
    S, Action = Clue.Status, LedgerEntry.Action
    steps = [
        (Action.SUBMITTED, None, None, "", S.SUBMITTED, 0),
        (Action.ACCEPTED, intake, hebei, S.SUBMITTED, S.SCREENED, 1),
        (Action.TRANSFERRED, intake, unit, S.SCREENED, S.TRANSFERRED, 2),
    ]
    LedgerEntry.objects.bulk_create(
        (
            LedgerEntry(
                clue=clue,
                action=action,
                actor=actor,
                unit=where,
                from_status=before,
                to_status=after,
                at=clue.created_at + timedelta(days=days),
            )
            for clue in clues
            for action, actor, where, before, after, days in steps
        ),
        batch_size=3000,
    )
    # Autovacuum would analyze these tables a minute or so after such a load; without their
    # statistics the planner reads every clue of the unit to list 20, as no deployment does
    # for long.
    with connection.cursor() as cursor:
        for table in (Clue, Transfer, LedgerEntry):
            cursor.execute(f"ANALYZE {table._meta.db_table}")
    _row, key = ApiKey.issue(
        unit=unit, name="benchmark", scopes=[ApiKey.Scope.READ, ApiKey.Scope.ACT]
    )
    print(key)


def prepare(env, count):
    """The clues and the key written by load() in a child process, as the portal's own code
    with its settings; returns the key."""
    code = f"from benchmarks.unit_api import load; load({count})"
    output = subprocess.run(
        [harness.PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return output.strip().splitlines()[-1]


def versions(base, key):
    """(tracking number, status, version) of every clue of the unit, read page by page."""
    found, cursor = [], None
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {key}"
        while True:
            params = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
            response = session.get(f"{base}{API}/clues", params=params, timeout=60)
            response.raise_for_status()
            page = response.json()
            if page["items"] and "version" not in page["items"][0]:
                raise SystemExit("the list's items carry no version: no acknowledge to load")
            found += [
                (item["tracking_number"], item["status"], item["version"])
                for item in page["items"]
            ]
            cursor = page["next_cursor"]
            if cursor is None:
                return found


def client_load(port, requests_for, total, threads, answers=lambda _content: True):
    """`total` requests, each one built by requests_for(n) as (method, path, headers, body),
    by `threads` clients with one kept-alive connection each; returns the rate, p50, p99 and
    the failures (every answer but a 200 whose body answers(body) accepts) by status, with
    a few of their bodies."""
    tickets = harness.Tickets(total)
    latencies, failures, samples = [], Counter(), []
    lock = threading.Lock()

    def client(_number):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while (number := tickets.next()) is not None:
            method, path, headers, body = requests_for(number)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()  # opened again by the next request
                status, content = type(error).__name__, b""
            mine.append(time.perf_counter() - started)
            if status == 200 and not answers(content):
                status = "200 unexpected"
            if status != 200:
                with lock:
                    failures[status] += 1
                    if len(samples) < 5:
                        text = " ".join(content.decode(errors="replace").split())
                        # Django's own error pages (a CSRF refusal, say) say it in their title.
                        title = re.search(r"<title>(.*?)</title>", text)
                        text = title.group(1) if title else text[:300]
                        samples.append(f"{status} {path}: {text}")
        conn.close()
        with lock:
            latencies.extend(mine)

    wall = harness.run_clients(threads, client)
    p50, p99 = harness.percentiles(latencies)
    return {
        "rate": total / wall,
        "p50": p50,
        "p99": p99,
        "failed": sum(failures.values()),
        "by status": dict(failures),
        "samples": samples,
    }


def acknowledge_all(port, key, clues, threads):
    run = uuid.uuid4().hex[:12]

    def acknowledge(number):
        tracking_number, version = clues[number]
        headers = {
            "Authorization": f"Bearer {key}",
            "If-Match": version,
            # Unique in this run and across runs: a kept database may see the script again.
            "Idempotency-Key": f"bench-{run}-{number}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        return "POST", f"{API}/clues/{tracking_number}/acknowledge", headers, b"{}"

    def acknowledged(content):
        try:
            return json.loads(content)["status"] == "acknowledged"
        except (ValueError, KeyError, TypeError):
            return False

    return client_load(port, acknowledge, len(clues), threads, acknowledged)


def bare_with_client(port, total, threads):
    return client_load(port, lambda _n: ("GET", "/", {}, None), total, threads)


def drop(name):
    with psycopg.connect(f"{harness.LOCAL_POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def main():
    args = parse_args()
    pages.ensure_wrk()
    try:
        rows, checks, writes = run(args)
    finally:
        drop(ANCHOR_DATABASE)
        if not args.keep:
            drop(DATABASE)
    print_table(rows, checks, args)
    for write in writes:
        if write["failed"]:
            print(f"\nacknowledge failures by status: {write['by status']}")
            for sample in write["samples"]:
                print(f"  {sample}")


def run(args):
    with tempfile.TemporaryDirectory(prefix="portal-unitapi-") as tmp:
        workdir = Path(tmp)
        log = workdir / "servers.log"
        print("preparing the anchor and the portal (migrate, demo content) ...", flush=True)
        anchor_env = pages.prepare_anchor(workdir, ANCHOR_DATABASE)
        port, env, _url = harness.fresh_portal(
            workdir, DATABASE, UNIT_API_REQUESTS_PER_MINUTE=RATE
        )
        print(f"loading {args.clues} clues into the Tangshan office ...", flush=True)
        key = prepare(env, args.clues)
        anchor_port = harness.free_port()
        anchor_server = {"app": "benchmarks.anchor.wsgi:application", "ready_path": "/"}
        with (
            harness.serving(anchor_port, anchor_env, log=log, **anchor_server),
            harness.serving(port, env, log=log),
        ):
            bare_url = f"http://127.0.0.1:{anchor_port}/"
            base = f"http://127.0.0.1:{port}"
            headers = [f"Authorization: Bearer {key}", "X-Forwarded-Proto: https"]
            print("list against the bare view ...", flush=True)
            list_url = f"{base}{API}/clues?limit=20"
            first = requests.get(
                list_url, headers=dict(h.split(": ", 1) for h in headers), timeout=60
            )
            if first.status_code != 200 or len(first.json()["items"]) != 20:
                raise SystemExit(f"the list answers {first.status_code}: {first.text[:500]}")
            lists, bares = pages.page_against_bare(bare_url, list_url, args, headers)
            bare, listed = pages.merged(bares), pages.merged(lists)
            print(
                f"list {listed['rate']:.1f} req/s, bare view {bare['rate']:.1f} req/s",
                flush=True,
            )
            print("reading every clue's version ...", flush=True)
            held = versions(base, key)
            if len(held) != args.clues:
                raise SystemExit(f"the list gave {len(held)} clues, not {args.clues}")
            # The demo's own clues of the unit are at later stages, past acknowledging.
            clues = [
                (number, version) for number, status, version in held if status == "transferred"
            ]
            print(f"acknowledging {len(clues)} clues ...", flush=True)
            # A few first one at a time: what a write costs with no other request queued
            # ahead of it, to read the loaded figures against.
            alone = len(clues) // 10
            few = alone + (len(clues) - alone) // 2
            single = acknowledge_all(port, key, clues[:alone], 1)
            # A case system's sync job, with a few writers at once; then as many as wrk's
            # connections, far more than one unit's system sends, to show the queueing.
            writers = acknowledge_all(port, key, clues[alone:few], args.writers)
            write = acknowledge_all(port, key, clues[few:], args.connections)
            # What the answers said, checked against what the API shows afterwards.
            now = {number: status for number, status, _version in versions(base, key)}
            stored = sum(now[number] == "acknowledged" for number, _version in clues)
            client_bare = bare_with_client(anchor_port, len(clues), args.connections)
    # Each rate beside the bare view's under the same load generator: wrk's for the list,
    # the client threads' for the writes, which cannot drive the bare view as hard as wrk.
    rows = [
        ("bare Django view", "wrk", bare, bare["rate"]),
        ("GET /clues?limit=20", "wrk", listed, bare["rate"]),
        ("bare Django view", "threads", client_bare, client_bare["rate"]),
        ("POST /clues/{n}/acknowledge", "threads", write, client_bare["rate"]),
        ("POST /clues/{n}/acknowledge", f"{args.writers} clients", writers, None),
        ("POST /clues/{n}/acknowledge", "1 client", single, None),
    ]
    failed = write["failed"] + single["failed"] + writers["failed"]
    ratio = listed["rate"] / bare["rate"]
    checks = [
        (f"list >= {LIST_BAR}x bare view", f"{ratio:.2f}x", ratio >= LIST_BAR),
        (f"acknowledge p99 < {WRITE_P99_MS} ms, 1 client", f"{single['p99']:.1f} ms",
         single["p99"] < WRITE_P99_MS),
        (f"acknowledge p99 < {WRITE_P99_MS} ms, {args.writers} clients",
         f"{writers['p99']:.1f} ms", writers["p99"] < WRITE_P99_MS),
        (f"acknowledge p99 < {WRITE_P99_MS} ms, {args.connections} threads",
         f"{write['p99']:.1f} ms", write["p99"] < WRITE_P99_MS),
        ("every acknowledge answered 200", f"{failed} failed", not failed),
        ("each acknowledged, as the list shows after", f"{stored} of {len(clues)}",
         stored == len(clues)),
    ]  # fmt: skip
    return rows, checks, (single, writers, write)


def print_table(rows, checks, args):
    print(
        f"\nUnits' API through gunicorn (2 workers) on 127.0.0.1, PostgreSQL, {args.clues} "
        f"clues in the unit; list: wrk -t2 -c{args.connections}, {pages.ROUNDS} rounds of "
        f"{pages.round_seconds(args)} s taking turns with the bare view; writes: "
        f"a tenth of the clues by one client, then half the rest by {args.writers} clients and "
        f"half by {args.connections} threads, each clue acknowledged once; one run"
    )
    print(
        f"{'request':<30}{'load':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x bare':>8}"
        f"{'failed':>8}"
    )
    for name, load, result, basis in rows:
        ratio = f"{result['rate'] / basis:.2f}" if basis else "-"
        print(
            f"{name:<30}{load:<9}{result['rate']:>9.1f}{result['p50']:>9.1f}"
            f"{result['p99']:>9.1f}{ratio:>8}{result['failed']:>8}"
        )
    print(f"\n{'target':<48}{'measured':>14}  verdict")
    for label, measured, met in checks:
        print(f"{label:<48}{measured:>14}  {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
