#!/usr/bin/env python
"""The supervisors' pages over a million clues on PostgreSQL: statistics, clue queue, ledger.

    .venv/bin/python benchmarks/statistics_scale.py [--regenerate] [--clues 1000000]
        [--repeat 5] [--only WORD] [--explain]

Builds the database bench_statistics on the local PostgreSQL once (kept between runs;
--regenerate rebuilds it): migrations, the demo's reference data (regions, categories, units,
demo staff), a verifier, three signatories and an intake reviewer per office, then --clues
clues over three years with their ledger, transfers, conclusions and signatures, and repeat
reports linked into clusters (about 7 per cent of clues), drawn from a fixed seed and written
with COPY. Every run applies new migrations (new indexes), stores
the supervisors' statistics snapshots as the worker does (timed), starts
gunicorn (1 worker, production settings), signs the staff in and times each page: one
warm-up request, then --repeat requests (fewer when a page is slower than --budget allows);
prints min/median/max. --explain then loads each page once in this process, captures its SQL
and prints EXPLAIN (ANALYZE, BUFFERS) of the slowest query shapes. Stops gunicorn at the end.
"""

import argparse
import bisect
import contextlib
import itertools
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import requests
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness

ROOT = harness.ROOT
SERVER = harness.LOCAL_POSTGRES
STATIC_ROOT = ROOT / "var" / "bench-static"
# Bump when the generated data changes shape: a kept database of another version is refused.
GENERATOR_VERSION = "2"
DAY = 86400.0
YEARS = 3
REMINDER_DAYS = 5  # daily reminders recorded per overdue spell (the digest stops mattering)
# Repeat reports: this share of clues are repeats of an earlier one (the same people, region
# and category), in clusters of 2 to 6 whose members came in within about a month. With
# their leads and the links of concluded clues reported again, about 7 per cent of clues
# are in a cluster.
REPEAT_SHARE = 0.02
CLUSTER_SPAN_DAYS = 30

# Clues per province follow the 2020 census (millions); other codes weigh 30.
POPULATION = {
    "110000": 21.9, "120000": 13.9, "130000": 74.6, "140000": 34.9, "150000": 24.0,
    "210000": 42.6, "220000": 24.1, "230000": 31.9, "310000": 24.9, "320000": 84.7,
    "330000": 64.6, "340000": 61.0, "350000": 41.5, "360000": 45.2, "370000": 101.5,
    "410000": 99.4, "420000": 57.8, "430000": 66.4, "440000": 126.0, "450000": 50.1,
    "460000": 10.1, "500000": 32.1, "510000": 83.7, "520000": 38.6, "530000": 47.2,
    "540000": 3.6, "610000": 39.5, "620000": 25.0, "630000": 5.9, "640000": 7.2,
    "650000": 25.9,
}  # fmt: skip
CATEGORY_WEIGHTS = {
    "gang-crime": 22, "protective-umbrella": 6, "routine-loans": 16, "market-bullies": 10,
    "engineering-construction": 9, "natural-resources": 6, "transportation": 5,
    "information-network": 7, "internet-gangs": 5, "campus-minors": 4, "fugitive": 2,
    "other": 8,
}  # fmt: skip
STORY = [
    "有人在菜市场强收“管理费”，不交就砸摊位。",
    "某公司以“砍头息”放贷，逾期后派人上门喷漆、堵门。",
    "工地上有一伙人强揽土方工程，威胁其他施工队退出。",
    "村里有人长期把持村务，殴打提意见的村民。",
    "夜里有人开车在河道非法采砂，已经持续几个月。",
    "客运站附近有人强拉乘客，不坐他们的车就动手。",
    "网上有人组织“水军”敲诈商家，不给钱就发差评。",
    "校门口有社会人员向学生索要财物，还拉学生入伙。",
    "据说有干部给他们通风报信，每次检查前都提前知道。",
    "他们在车辆市场垄断二手车交易，外地商户进不来。",
    "借款人家属多次在深夜接到骚扰电话和恐吓短信。",
    "被通缉的人最近常在城郊一家饭店出现。",
    "这伙人有十几个人，平时开几辆黑色越野车。",
    "附近商户都不敢报警，怕被报复。",
    "我亲眼见过两次，时间大概是晚上十点以后。",
    "他们的头目外号叫“光头”，三十多岁。",
]  # fmt: skip
FINDINGS = [
    ("substantiated", 30, [("criminal_case", 55), ("administrative_case", 30),
                           ("discipline", 10), ("no_action", 5)]),
    ("partly", 25, [("criminal_case", 25), ("administrative_case", 45), ("discipline", 10),
                    ("no_action", 20)]),
    ("unsubstantiated", 45, [("no_action", 100)]),
]  # fmt: skip
CONCLUSION_TEXT = {
    "substantiated": "经核查，反映问题属实，已依法处理。",
    "partly": "经核查，反映问题部分属实，已依法处理。",
    "unsubstantiated": "经核查，未发现反映的问题。",
}
FEEDBACK_TEXT = "经核查，相关情况已依法处理，感谢您的举报。"
PROGRESS_NOTE = "走访群众，调取有关记录。"
MODE_NOTE = {
    "normal": "正常转办",
    "upgrade": "提级办理",
    "off_site": "异地核查",
    "direct_review": "直查",
    "listed": "挂牌督办",
}
REOPEN_NOTE = "结案后再次被举报，启动回头看。"
# A sealed reporter (reporting.evidence.crypto) is a Fernet token of about this size.
SEALED = b"gAAAAA" + bytes(range(256))[:200]
ACCESS_KEY_HASH = "scrypt$16384$8$1$" + "a" * 32 + "$" + "b" * 64


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default="bench_statistics",
        help="database on the local server, named bench_* (default bench_statistics)",
    )
    parser.add_argument("--regenerate", action="store_true", help="drop and rebuild the data")
    parser.add_argument(
        "--clues", type=int, default=1_000_000, help="clues to generate (default 1000000)"
    )
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed requests per page after the warm-up"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=180,
        help="seconds a page may take in all; slower pages get fewer repetitions (default 180)",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="run the pages whose name contains WORD"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the slowest queries"
    )
    parser.add_argument(
        "--explain-top", type=int, default=3, help="query shapes explained per page (default 3)"
    )
    parser.add_argument("--no-timing", action="store_true", help="skip gunicorn (with --explain)")
    args = parser.parse_args()
    # Never near the test suite's databases (test, test_*), the server's own or a real one.
    if not re.fullmatch(r"bench_[a-z0-9_]{1,40}", args.database):
        parser.error("--database must be named bench_ followed by lowercase letters or digits")
    if not 1000 <= args.clues <= 5_000_000:
        parser.error("--clues must be between 1000 and 5000000")
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat must be between 1 and 100")
    return args


def environment(database, port, workdir):
    return harness.production_env(workdir, f"{SERVER}/{database}", port, STATIC_ROOT=STATIC_ROOT)


# --- the database ------------------------------------------------------------------------


def stored_meta(database):
    """None when the database does not exist; {} when its generation never finished."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone():
            return None
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        try:
            return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
        except psycopg.errors.UndefinedTable:
            return {}


class World:
    """The reference data the clues point at: regions, units, categories and staff."""

    def __init__(self, rng):
        from reporting.models import Category, Membership, Region, Unit

        self.rng = rng
        regions = list(Region.objects.order_by("path").values("id", "code", "path", "depth"))
        units = list(Unit.objects.values("id", "path", "depth", "region_id", "code"))
        self.unit_by_path = {unit["path"]: unit for unit in units}
        self.unit_of_region = {unit["region_id"]: unit for unit in units if unit["region_id"]}
        self.national = next(unit for unit in units if unit["depth"] == 1)
        self.provinces = [region for region in regions if region["depth"] == 1]
        self.province = Pick(
            self.provinces, [POPULATION.get(r["code"], 30) for r in self.provinces]
        )
        self.below = {
            province["id"]: [
                region
                for region in regions
                if region["depth"] > 1 and region["path"].startswith(province["path"])
            ]
            for province in self.provinces
        }
        self.region_by_path = {region["path"]: region for region in regions}
        categories = list(Category.objects.order_by("sort_order").values("id", "slug"))
        self.category = Pick(
            [category["id"] for category in categories],
            [CATEGORY_WEIGHTS.get(category["slug"], 5) for category in categories],
        )

        people = {}
        for membership in Membership.objects.select_related("user").order_by("user__username"):
            people.setdefault((membership.unit_id, membership.role), []).append(
                (membership.user_id, membership.user.username)
            )
        role = Membership.Role
        self.verifier = {u["id"]: people[(u["id"], role.VERIFIER)][0] for u in units}
        self.signers = {u["id"]: people[(u["id"], role.SIGNATORY)][:3] for u in units}
        self.intake = {
            u["id"]: people[(u["id"], role.INTAKE)][0] for u in units if u["depth"] <= 2
        }

    def parent(self, unit):
        return self.unit_by_path.get(unit["path"][:-4]) if unit["depth"] > 1 else None

    def province_unit(self, region):
        return self.unit_by_path[self.unit_of_region[region["id"]]["path"][:8]]

    def pick_region(self):
        rng = self.rng
        if rng.random() < 0.03:
            return None  # "I don't know"
        province = self.province(rng)
        below = self.below[province["id"]]
        if below and rng.random() < 0.6:
            return rng.choice(below)
        return province

    def local_unit(self, region):
        rng = self.rng
        if region is None:
            province = self.province(rng)
            return self.unit_of_region[province["id"]]
        unit = self.unit_of_region[region["id"]]
        if region["depth"] == 3 and rng.random() < 0.4:
            return self.parent(unit)
        if region["depth"] == 2 and rng.random() < 0.3:
            return self.parent(unit)
        return unit

    def other_province_unit(self, region):
        own = region["path"][:4]
        while True:
            province = self.province(self.rng)
            if province["path"] != own:
                return self.unit_of_region[province["id"]]

    def intake_for(self, region):
        if region is None or self.rng.random() < 0.15:
            return self.intake[self.national["id"]]
        return self.intake[self.province_unit(region)["id"]]


def ensure_staff():
    """A verifier and three signatories in every office, an intake reviewer in the national
    and provincial ones (the demo's Hebei and Tangshan staff count), and the national
    supervisor the pages are timed for. Password-less: the benchmark signs them in."""
    from django.contrib.auth import get_user_model

    from reporting.lifecycle.roles import add_member
    from reporting.models import Membership, Unit

    User = get_user_model()
    role = Membership.Role
    wanted = {role.VERIFIER: 1, role.SIGNATORY: 3, role.INTAKE: 1}
    for unit in Unit.objects.order_by("path"):
        for member_role, count in wanted.items():
            if member_role == role.INTAKE and unit.depth > 2:
                continue
            have = Membership.objects.filter(unit=unit, role=member_role).count()
            for number in range(have + 1, count + 1):
                user, _created = User.objects.get_or_create(
                    username=f"bench-{member_role}{number}-{unit.code}",
                    defaults={"is_staff": True, "password": "!"},
                )
                add_member(user, unit, member_role)
    supervisor, _created = User.objects.get_or_create(
        username="bench-supervisor-national", defaults={"is_staff": True, "password": "!"}
    )
    add_member(supervisor, Unit.objects.get(code="national"), role.SUPERVISOR)


class Pick:
    """A weighted choice with its cumulative weights computed once (random.choices would
    add them up on every call, a million times)."""

    def __init__(self, population, weights):
        self.population = list(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng):
        return self.population[bisect.bisect(self.cumulative, rng.random() * self.total)]


REASON = Pick(["out_of_scope", "insufficient", "duplicate"], [45, 40, 15])
CLUSTER_SIZE = Pick([2, 3, 4, 5, 6], [45, 25, 15, 9, 6])
FINDING = Pick(
    [(finding, Pick(*zip(*outcomes, strict=True))) for finding, _w, outcomes in FINDINGS],
    [weight for _f, weight, _o in FINDINGS],
)
WHEN = Pick(["unknown", "date", "period"], [60, 25, 15])
SHIELD = Pick(["unknown", "yes", "no"], [70, 10, 20])


def lognormal(rng, median_days, sigma):
    return median_days * DAY * math.exp(rng.gauss(0.0, sigma))


class Life:
    """One clue's life up to `now`, written as the workflow would have written it: the clue's
    final row, its ledger entries, transfers, conclusions and signatures. Overdue spells are
    found as deadlines.check would have found them (every few minutes)."""

    def __init__(self, world, rng, now, times, first_id, tracking):
        self.world, self.rng, self.now = world, rng, now
        self.times, self.first_id, self.tracking = times, first_id, tracking
        self.transfer_id = self.conclusion_id = self.signature_id = 0
        self.related = set()
        # Planned repeats (plan_repeats): a repeat's earlier members, and the region and
        # category each cluster's lead was given, which its repeats share.
        self.repeat_of, self.leads, self.lead_place = {}, set(), {}

    # Output rows of the clue being lived, collected per clue and written by the caller.
    def start(self, clue_id, created):
        self.ledger, self.transfers, self.conclusions, self.signatures = [], [], [], []
        self.clue_id, self.t, self.wait_start = clue_id, created, created
        self.status, self.unit, self.transfer = "submitted", None, None
        self.ack_due, self.feedback_due = created + 7 * DAY, created + 90 * DAY
        self.is_key, self.needs_lookback = False, False
        self.not_accepted_reason, self.duplicate_of, self.feedback = "", None, ""
        self.off_site_local, self.overdue_since, self.escalated_at = "", None, None

    def step(self, median_days, sigma=0.8):
        """Time passes until the next action; False once that would be after `now`."""
        at = self.t + lognormal(self.rng, median_days, sigma)
        if at >= self.now:
            return False
        self.t = at
        return True

    def entry(self, at, action, actor=None, note="", unit=None, from_status="", to_status=""):
        self.ledger.append(
            (at, action, note, actor[0] if actor else None, self.clue_id, from_status,
             to_status, unit)
        )  # fmt: skip

    def due(self):
        """The earliest deadline of the clue's present state (deadlines.late), or None."""
        status = self.status
        if status in ("feedback", "closed", "not_accepted"):
            return None
        due = self.feedback_due
        if status == "submitted":
            due = min(due, self.ack_due)
        elif status == "transferred":
            due = min(due, self.transfer[3] + 3 * DAY, self.transfer[2])
        elif status in ("acknowledged", "verifying"):
            due = min(due, self.transfer[2])
        return due

    def close_wait(self, end, final=False):
        """The clue waited from wait_start to `end` in its present state: an overdue mark,
        an escalation and daily reminders if a deadline passed meanwhile."""
        due = self.due()
        start, self.wait_start = self.wait_start, end
        if due is None:
            return
        mark = max(due, start) + self.rng.uniform(60, 900)
        if mark >= end:
            return
        unit_id = self.unit["id"] if self.unit else None
        self.entry(mark, "overdue", unit=unit_id)
        escalate = mark + 3 * DAY
        if escalate < end:
            above = self.world.parent(self.unit) if self.unit else None
            self.entry(escalate, "escalated", unit=(above or self.world.national)["id"])
        with_unit = self.unit and self.status in ("transferred", "acknowledged", "verifying")
        person = self.world.verifier[unit_id] if with_unit else self.intake
        for day in range(REMINDER_DAYS):
            if mark + day * DAY >= end:
                break
            self.entry(mark + day * DAY + 1, "reminded", note=person[1])
        if final:
            self.overdue_since = mark
            self.escalated_at = escalate if escalate < end else None

    def move(self, action, to_status, actor, note="", unit=None):
        """A workflow move that meets the deadline waited for (workflow._move)."""
        self.close_wait(self.t)
        self.record(action, to_status, actor, note, unit)

    def record(self, action, to_status, actor, note="", unit=None):
        if unit is None and self.unit:
            unit = self.unit["id"]
        self.entry(self.t, action, actor, note, unit, self.status, to_status)
        self.status = to_status

    def live(self, clue_id, created):
        rng, world = self.rng, self.world
        self.start(clue_id, created)
        earlier = self.repeat_of.get(clue_id)
        if earlier:
            # Linked as the worker does: the new clue to every earlier clue naming the same
            # people.
            self.related.update((clue_id, other) for other in earlier)
            self.related.update((other, clue_id) for other in earlier)
            self.region = region = self.lead_place[earlier[0]][0]
        else:
            self.region = region = world.pick_region()
        self.intake = world.intake_for(region)
        self.entry(created, "submitted")
        if self.step(1.5, 0.9):
            if rng.random() < 0.12:
                self.reject()
                if rng.random() < 0.02 and self.step(60):
                    self.reopen()
                    self.verify(first_round=False)
            else:
                self.is_key = rng.random() < 0.08
                self.move("accepted", "screened", self.intake)
                if self.verify(first_round=True) and rng.random() < 0.03 and self.step(120):
                    self.reported_again()
                    if rng.random() < 0.45 and self.step(10):
                        self.reopen()
                        self.verify(first_round=False)
        self.close_wait(self.now, final=True)
        return self.clue_row(created, region)

    def reject(self):
        rng = self.rng
        reason = REASON(rng)
        self.not_accepted_reason = reason
        if reason == "duplicate" and self.clue_id > self.first_id:
            self.duplicate_of = rng.randint(
                max(self.first_id, self.clue_id - 5000), self.clue_id - 1
            )
        self.move("not_accepted", "not_accepted", self.intake)

    def reopen(self):
        self.close_wait(self.t)
        self.unit, self.transfer = None, None
        self.not_accepted_reason, self.duplicate_of, self.feedback = "", None, ""
        self.off_site_local = ""
        self.ack_due, self.feedback_due = self.t + 7 * DAY, self.t + 90 * DAY
        self.record("reopened", "screened", self.intake, REOPEN_NOTE)

    def reported_again(self):
        """A new clue names the same people (repeats.link_repeats): the closed one is flagged
        for look-back and the two are linked."""
        newer = min(bisect.bisect_left(self.times, self.t), len(self.times) - 1)
        newer_id = self.first_id + newer
        self.entry(self.t, "reported_again", note=self.tracking(newer_id))
        self.needs_lookback = True
        if newer_id != self.clue_id:
            self.related.update({(self.clue_id, newer_id), (newer_id, self.clue_id)})

    def send(self, actor, to_unit, mode):
        self.close_wait(self.t)
        self.transfer_id += 1
        days = 30 if mode in ("listed", "direct_review") or self.is_key else 60
        from_unit = self.unit["id"] if self.unit else None
        self.transfer = [self.transfer_id, mode, self.t + days * DAY, self.t, None,
                         self.clue_id, actor[0], from_unit, to_unit["id"]]  # fmt: skip
        self.transfers.append(self.transfer)
        if mode in ("listed", "direct_review"):
            self.is_key = True
        if mode == "off_site":
            depth = self.region["depth"]
            self.off_site_local = self.region["path"][: 4 * min(depth, 2)]
        self.unit = to_unit
        self.record("transferred", "transferred", actor, MODE_NOTE[mode], to_unit["id"])

    def acknowledge(self):
        self.close_wait(self.t)
        self.transfer[4] = self.t
        self.record("acknowledged", "acknowledged", self.world.verifier[self.unit["id"]])

    def verify(self, first_round):
        """Transfer, acknowledgement, perhaps a second transfer, progress, a conclusion, three
        signatures, feedback and closing; True when the clue got to the end before `now`."""
        rng, world = self.rng, self.world
        if not self.step(2):
            return False
        roll = rng.random()
        if roll < 0.01:
            self.send(self.intake, world.national, "direct_review")
        elif roll < 0.04:
            self.send(self.intake, world.local_unit(self.region), "listed")
        elif roll < 0.06 and self.region is not None:
            self.send(self.intake, world.other_province_unit(self.region), "off_site")
        else:
            self.send(self.intake, world.local_unit(self.region), "normal")
        if not self.step(1.0):
            return False
        self.acknowledge()
        above = world.parent(self.unit)
        if first_round and above is not None and rng.random() < 0.12:
            if not self.step(5):
                return False
            verifier = world.verifier[self.unit["id"]]
            if rng.random() < 0.4 and self.region is not None and not self.off_site_local:
                self.send(verifier, world.other_province_unit(self.region), "off_site")
            else:
                self.send(verifier, above, "upgrade")
            if not self.step(1.0):
                return False
            self.acknowledge()
        unit_id = self.unit["id"]
        verifier = world.verifier[unit_id]
        for _note in range(rng.choice((0, 1, 1, 2, 3))):
            if not self.step(6):
                return False
            self.record("progress", "verifying", verifier, PROGRESS_NOTE)  # keeps overdue
        if not self.step(12):
            return False
        finding, outcomes = FINDING(rng)
        outcome = outcomes(rng)
        text = CONCLUSION_TEXT[finding]
        self.move("conclusion_drafted", "verifying", verifier, text)
        if rng.random() < 0.05:  # redrafted before anyone signed: the first draft is deleted
            if not self.step(2):
                return False
            self.move("conclusion_drafted", "verifying", verifier, text)
        self.conclusion_id += 1
        conclusion = [self.conclusion_id, finding, outcome, text, self.t, None,
                      verifier[0], self.clue_id, unit_id, None]  # fmt: skip
        self.conclusions.append(conclusion)
        for number, signer in enumerate(world.signers[unit_id], start=1):
            if not self.step(0.8):
                return False
            self.signature_id += 1
            self.signatures.append((self.signature_id, self.t, self.conclusion_id, signer[0]))
            self.entry(self.t, "signed", signer, f"{number}/3", unit_id)
        conclusion[5] = self.t
        self.move("concluded", "concluded", signer, finding)
        if not self.step(3, 0.7):
            return False
        self.feedback = FEEDBACK_TEXT
        self.move("feedback", "feedback", verifier)
        if not self.step(2, 0.7):
            return False
        self.move("closed", "closed", self.intake)
        return True

    def clue_row(self, created, region):
        rng = self.rng
        when = WHEN(rng)
        when_start = when_end = None
        if when != "unknown":
            when_start = date.fromtimestamp(created - rng.uniform(1, 200) * DAY)
            if when == "period":
                when_end = date.fromtimestamp(created - rng.uniform(0, 1) * DAY)
        shield = SHIELD(rng)
        category = self.world.category(rng)
        earlier = self.repeat_of.get(self.clue_id)
        if earlier:
            category = self.lead_place[earlier[0]][1]
        elif self.clue_id in self.leads:
            self.lead_place[self.clue_id] = (region, category)
        named = rng.random() < 0.25
        story = "".join(rng.sample(STORY, rng.randint(2, 5)))
        return (
            self.clue_id,
            self.tracking(self.clue_id),
            ACCESS_KEY_HASH,
            self.status,
            story,
            when,
            when_start,
            when_end,
            "某村附近" if rng.random() < 0.3 else "",
            shield,
            "听说有公职人员收了好处。" if shield == "yes" else "",
            "named" if named else "anonymous",
            SEALED if named else None,
            rng.choice(("HB-BUS-001", "HB-MKT-002", "GD-CAMPUS-003"))
            if rng.random() < 0.1
            else "",
            "en" if rng.random() < 0.03 else "zh-hans",
            f"bench-{self.clue_id:012d}-0000000000000000",
            created,
            self.ack_due,
            self.feedback_due,
            category,
            region["id"] if region else None,
            self.duplicate_of,
            self.feedback,
            self.is_key,
            self.not_accepted_reason,
            self.unit["id"] if self.unit else None,
            self.escalated_at,
            self.overdue_since,
            self.needs_lookback,
            self.off_site_local,
        )


# Columns written by COPY, with their types for the binary format. Timestamps are written
# as epoch seconds and converted on the way (the `stamp` columns).
TABLES = {
    "reporting_clue": [
        ("id", "int8"), ("tracking_number", "text"), ("access_key_hash", "text"),
        ("status", "text"), ("what_happened", "text"), ("when", "text"),
        ("when_start", "date"), ("when_end", "date"), ("where", "text"),
        ("officials_shield", "text"), ("shield_details", "text"), ("identity", "text"),
        ("reporter_sealed", "bytea"), ("entry_code", "text"), ("language", "text"),
        ("submission_token", "text"), ("created_at", "stamp"), ("acknowledge_due_at", "stamp"),
        ("feedback_due_at", "stamp"), ("category_id", "int8"), ("region_id", "int8"),
        ("duplicate_of_id", "int8"), ("feedback", "text"), ("is_key", "bool"),
        ("not_accepted_reason", "text"), ("unit_id", "int8"), ("escalated_at", "stamp"),
        ("overdue_since", "stamp"), ("needs_lookback", "bool"), ("off_site_local", "text"),
    ],
    "reporting_ledgerentry": [
        ("at", "stamp"), ("action", "text"), ("note", "text"), ("actor_id", "int8"),
        ("clue_id", "int8"), ("from_status", "text"), ("to_status", "text"), ("unit_id", "int8"),
    ],
    "reporting_transfer": [
        ("id", "int8"), ("mode", "text"), ("deadline", "stamp"), ("created_at", "stamp"),
        ("acknowledged_at", "stamp"), ("clue_id", "int8"), ("created_by_id", "int8"),
        ("from_unit_id", "int8"), ("to_unit_id", "int8"),
    ],
    "reporting_conclusion": [
        ("id", "int8"), ("finding", "text"), ("outcome", "text"), ("text", "text"),
        ("created_at", "stamp"), ("stood_at", "stamp"), ("author_id", "int8"),
        ("clue_id", "int8"), ("unit_id", "int8"), ("withdrawn_at", "stamp"),
    ],
    "reporting_signature": [
        ("id", "int8"), ("signed_at", "stamp"), ("conclusion_id", "int8"), ("signer_id", "int8"),
    ],
    "reporting_clue_related": [("from_clue_id", "int8"), ("to_clue_id", "int8")],
}  # fmt: skip


class Writer:
    """One COPY per table, each on its own connection so all stream at once. Foreign keys
    are not checked row by row (session_replication_role): the generator keeps them."""

    def __init__(self, stack, database):
        self.copies = {}
        self.stamps = {}
        self.connections = []
        for table, columns in TABLES.items():
            conn = stack.enter_context(psycopg.connect(f"{SERVER}/{database}"))
            conn.execute("SET session_replication_role = replica")
            self.connections.append(conn)
            names = sql.SQL(", ").join(sql.Identifier(name) for name, _type in columns)
            copy = stack.enter_context(
                conn.cursor().copy(
                    sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                        sql.Identifier(table), names
                    )
                )
            )
            copy.set_types(["timestamptz" if kind == "stamp" else kind for _n, kind in columns])
            self.copies[table] = copy
            self.stamps[table] = [i for i, (_n, kind) in enumerate(columns) if kind == "stamp"]

    def write(self, table, rows):
        copy, stamps = self.copies[table], self.stamps[table]
        for row in rows:
            row = list(row)
            for index in stamps:
                if row[index] is not None:
                    row[index] = datetime.fromtimestamp(row[index], UTC)
            copy.write_row(row)

    def commit(self):
        for conn in self.connections:
            conn.commit()


def plan_repeats(rng, times, first_id):
    """Clusters of repeat reports, none sharing a clue: {repeat's id: the ids of the earlier
    clues of its cluster, the lead first}, and the leads' ids."""
    repeat_of, leads, taken = {}, set(), set()
    wanted, planned = int(len(times) * REPEAT_SHARE), 0
    while planned < wanted:
        lead = rng.randrange(len(times))
        size = CLUSTER_SIZE(rng)
        end = bisect.bisect(times, times[lead] + CLUSTER_SPAN_DAYS * DAY)
        if end - lead <= size:
            continue
        members = [lead, *sorted(rng.sample(range(lead + 1, end), size - 1))]
        if taken.intersection(members):
            continue
        taken.update(members)
        ids = [first_id + member for member in members]
        leads.add(ids[0])
        for index, member in enumerate(ids[1:], start=1):
            repeat_of[member] = ids[:index]
        planned += size - 1
    return repeat_of, leads


def clusters_of(links):
    """Each clue the links join to others, with its cluster's lead: the earliest clue of the
    group, here the lowest id (ids follow the time received). The rule of
    reporting.lifecycle.repeats.join_cluster."""
    parent = {}

    def root(pk):
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for one, other in links:
        one, other = root(one), root(other)
        if one != other:
            parent[max(one, other)] = min(one, other)
    return [(pk, root(pk)) for pk in sorted(parent)]


def tracking_numbers():
    from reporting.intake.receipts import damm_digit

    span, step = 9 * 10**10, 7_919_563_417
    assert math.gcd(span, step) == 1  # a permutation: every clue its own number

    def tracking(clue_id):
        body = str(10**10 + clue_id * step % span)
        return body + str(damm_digit(body))

    return tracking


def generate(args):
    """Reference data through the project's own loaders, then clues by COPY."""
    from django.core.management import call_command
    from django.db import connection

    import reporting.demo

    print("migrating ...", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    reporting.demo.load()
    reporting.demo.load_staff()
    ensure_staff()
    connection.close()

    rng = random.Random(args.seed)
    world = World(rng)
    now = time.time()
    start = now - YEARS * 365 * DAY
    # More reports each year than the one before: the density grows towards `now`.
    times = sorted(start + (now - start) * rng.random() ** 0.8 for _ in range(args.clues))
    first_id = 1
    life = Life(world, rng, now, times, first_id, tracking_numbers())
    life.repeat_of, life.leads = plan_repeats(random.Random(args.seed + 1), times, first_id)
    counts = dict.fromkeys(TABLES, 0)
    began = time.time()
    with contextlib.ExitStack() as stack:
        writer = Writer(stack, args.database)
        for offset, created in enumerate(times):
            clue = life.live(first_id + offset, created)
            writer.write("reporting_clue", [clue])
            writer.write("reporting_ledgerentry", life.ledger)
            writer.write("reporting_transfer", life.transfers)
            writer.write("reporting_conclusion", life.conclusions)
            writer.write("reporting_signature", life.signatures)
            counts["reporting_clue"] += 1
            counts["reporting_ledgerentry"] += len(life.ledger)
            counts["reporting_transfer"] += len(life.transfers)
            counts["reporting_conclusion"] += len(life.conclusions)
            counts["reporting_signature"] += len(life.signatures)
            if (offset + 1) % 100_000 == 0:
                print(f"  {offset + 1} clues, {time.time() - began:.0f} s", flush=True)
        writer.write("reporting_clue_related", sorted(life.related))
        counts["reporting_clue_related"] = len(life.related)
    # ExitStack closed the copies, then the connections, which commits them.
    print(f"written in {time.time() - began:.0f} s:", counts, flush=True)
    # The repeat clusters, known once every link is: set as the worker keeps them.
    members = clusters_of(life.related)
    with psycopg.connect(f"{SERVER}/{args.database}") as conn:
        conn.execute("CREATE TEMPORARY TABLE bench_cluster (id int8, cluster_id int8)")
        with conn.cursor().copy("COPY bench_cluster FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int8"])
            for row in members:
                copy.write_row(row)
        conn.execute(
            "UPDATE reporting_clue SET cluster_id = bench_cluster.cluster_id "
            "FROM bench_cluster WHERE reporting_clue.id = bench_cluster.id"
        )
    print(f"repeat clusters: {len(members)} clues in {len({c for _p, c in members})}", flush=True)
    # Written by COPY, past the services that keep the statistics: derived as after a bulk
    # load (migration 0027 did it for a database generated before the kept statistics).
    began = time.time()
    call_command("rebuild_statistics_facts", verbosity=1)
    print(f"kept statistics rebuilt in {time.time() - began:.0f} s", flush=True)

    with psycopg.connect(f"{SERVER}/{args.database}", autocommit=True) as conn:
        for table in TABLES:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {i}), false)"
                ).format(t=sql.Literal(table), i=sql.Identifier(table))
            )
        began = time.time()
        conn.execute("VACUUM (ANALYZE)")
        print(f"vacuum and analyze: {time.time() - began:.0f} s", flush=True)
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        meta = {
            "version": GENERATOR_VERSION,
            "clues": str(args.clues),
            "seed": str(args.seed),
            "generated_at": datetime.fromtimestamp(now, UTC).isoformat(),
        }
        for key, value in meta.items():
            conn.execute("INSERT INTO bench_meta VALUES (%s, %s)", (key, value))
    return meta


def prepare(args):
    meta = stored_meta(args.database)
    expected = {"version": GENERATOR_VERSION, "clues": str(args.clues), "seed": str(args.seed)}
    if meta and not args.regenerate:
        differs = {k: meta.get(k) for k, v in expected.items() if meta.get(k) != v}
        if differs:
            raise SystemExit(
                f"{args.database} holds other data ({differs}); pass --regenerate to rebuild it"
            )
        print(f"{args.database}: kept data of {meta['generated_at']} ({meta['clues']} clues)")
        return meta
    if meta == {}:
        print(f"{args.database}: an unfinished generation; rebuilding")
    harness.recreate_database(args.database)
    began = time.time()
    meta = generate(args)
    print(f"generated in {time.time() - began:.0f} s", flush=True)
    return meta


# --- the pages -----------------------------------------------------------------------------


def pages(meta):
    """(name, username, path) of every page timed. The statistics pages are the standard
    periods of today's calendar, as supervisors open them: read from the snapshots the worker
    stored, and the same requests counted live ("statistics live ...", the page's "count
    now"). `meta` names the data, whose own calendar no longer decides the periods."""
    from django.utils import timezone

    from reporting.jobs import statistics_snapshots as snapshots
    from reporting.models import Unit

    today = timezone.localdate()

    def dates(preset):
        start, end = snapshots.preset_dates(preset, today)
        return f"start={start}&end={end}"

    from reporting.models import Category, Clue

    national = Unit.objects.get(code="national").pk
    hebei = Unit.objects.get(code="r130000").pk
    # The largest province by clues, the largest category, and the whole span of the data.
    guangdong = Unit.objects.get(code="r440000").pk
    gangs = Category.objects.get(slug="gang-crime").pk
    everything = f"start={today - timedelta(days=YEARS * 365)}&end={today}"
    # The latest cluster, as a link from a clue's page opens it.
    lead = (
        Clue.objects.filter(cluster__isnull=False)
        .order_by("-cluster")
        .values_list("cluster", flat=True)
        .first()
    )
    statistics_url = "/admin/reporting/statistics/"
    return [
        ("statistics national default", "bench-supervisor-national", statistics_url),
        ("statistics national month", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&preset=month"),
        ("statistics national year", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&preset=last-year"),
        ("statistics hebei year", "supervisor-hebei",
         f"{statistics_url}?unit={hebei}&preset=last-year"),
        ("statistics live national month", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&{dates('month')}&live=1"),
        ("statistics live national year", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&{dates('last-year')}&live=1"),
        ("statistics live hebei year", "supervisor-hebei",
         f"{statistics_url}?unit={hebei}&{dates('last-year')}&live=1"),
        ("statistics live guangdong year", "bench-supervisor-national",
         f"{statistics_url}?unit={guangdong}&{dates('last-year')}&live=1"),
        ("statistics live national year gangs", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&category={gangs}&{dates('last-year')}&live=1"),
        ("statistics live national three years", "bench-supervisor-national",
         f"{statistics_url}?unit={national}&{everything}&live=1"),
        ("queue intake hebei", "intake-hebei", "/admin/reporting/clues/"),
        ("queue supervisor national", "bench-supervisor-national", "/admin/reporting/clues/"),
        ("queue supervisor national overdue", "bench-supervisor-national",
         "/admin/reporting/clues/?overdue=true&open=true"),
        ("queue supervisor hebei", "supervisor-hebei", "/admin/reporting/clues/"),
        ("queue clusters national", "bench-supervisor-national",
         "/admin/reporting/clues/?repeats=true"),
        ("queue clusters hebei", "supervisor-hebei",
         "/admin/reporting/clues/?repeats=true"),
        ("queue clusters intake hebei", "intake-hebei",
         "/admin/reporting/clues/?repeats=true"),
        ("queue one cluster national", "bench-supervisor-national",
         f"/admin/reporting/clues/?cluster={lead}"),
        ("ledger supervisor national", "bench-supervisor-national", "/admin/reporting/ledger/"),
        ("ledger supervisor hebei", "supervisor-hebei", "/admin/reporting/ledger/"),
        ("dashboard supervisor national", "bench-supervisor-national", "/admin/"),
    ]  # fmt: skip


def signed_in(client, username):
    """Sign the client in with both steps: the session names a confirmed authenticator, as
    after the second-factor form (staff pages send everyone else to that form)."""
    from django.contrib.auth import get_user_model

    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import Authenticator

    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sessions(usernames):
    """A signed-in session per person, stored in the database gunicorn reads."""
    from django.conf import settings
    from django.test import Client

    return {
        username: signed_in(Client(), username).cookies[settings.SESSION_COOKIE_NAME].value
        for username in usernames
    }


def public_page():
    """The public statistics page, placed in the demo's site tree, and its snapshot computed
    as the worker does: returns (page path, seconds the worker's refresh took)."""
    import content.demo
    import transparency.demo
    from transparency import services

    content.demo.load()
    page = transparency.demo.load()
    started = time.perf_counter()
    services.refresh(force=True)
    return page.url, time.perf_counter() - started


def supervisor_snapshots():
    """The supervisors' stored statistics, refreshed as the worker's task does, all at once:
    returns (snapshots counted, seconds)."""
    from reporting.jobs import statistics_snapshots as snapshots

    started = time.perf_counter()
    counted, _left = snapshots.refresh(force=True, seconds=math.inf)
    return counted, time.perf_counter() - started


def fetch(base, path, cookie):
    from django.conf import settings

    started = time.perf_counter()
    # The public page is fetched as an anonymous reader.
    cookies = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"} if cookie else {}
    response = requests.get(
        base + path,
        headers={**cookies, "X-Forwarded-Proto": "https"},
        allow_redirects=False,
        timeout=900,
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:300]}")
    # A standard period read from its snapshot offers to count now; counted live, it does not.
    from_snapshot = "live=1" in response.text
    if path.startswith("/admin/reporting/statistics/") and from_snapshot == ("live=1" in path):
        raise SystemExit(f"{path}: {'from' if from_snapshot else 'not from'} a snapshot")
    return elapsed, len(response.content)


def time_pages(selected, cookies, port, args):
    """Per page: a warm-up request, then up to --repeat timed ones while the page's total
    stays within --budget. A page whose warm-up alone exceeds the budget keeps that figure
    only (n = 0 in the table): minutes per request say enough."""
    base = f"http://127.0.0.1:{port}"
    rows = []
    for name, username, path in selected:
        warm, size = fetch(base, path, cookies.get(username))
        times = []
        spent = warm
        while len(times) < args.repeat and spent + (times[-1] if times else warm) <= args.budget:
            elapsed, size = fetch(base, path, cookies.get(username))
            times.append(elapsed)
            spent += elapsed
        measured = times or [warm]
        row = (name, len(times), warm, min(measured), statistics.median(measured),
               max(measured), size)  # fmt: skip
        rows.append(row)
        print(
            f"  {name:<36} warm-up {warm:7.3f} s, then {len(times)}: median {row[4]:.3f} s",
            flush=True,
        )
    return rows


def print_table(rows, meta):
    print(
        f"\nSupervisors' pages through gunicorn (1 worker), PostgreSQL, "
        f"{int(meta['clues']):,} clues generated {meta['generated_at'][:10]}"
    )
    print(f"{'page':<36}{'n':>3}{'warm-up':>9}{'min':>8}{'median':>8}{'max':>8}{'KB':>6}")
    for name, count, warm, low, median, high, size in rows:
        print(
            f"{name:<36}{count:>3}{warm:>9.3f}{low:>8.3f}{median:>8.3f}{high:>8.3f}"
            f"{size // 1024:>6}"
        )


# --- EXPLAIN --------------------------------------------------------------------------------

LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def explain(selected, top):
    """Each page once in this process, its SQL captured; the slowest shapes (the SQL with
    its literals blanked) explained with the literals of their slowest run."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for name, username, path in selected:
        client = Client(headers={"host": "127.0.0.1", "x-forwarded-proto": "https"})
        if username:
            signed_in(client, username)
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, response.status_code)
        shapes = {}
        for query in captured.captured_queries:
            shape = LITERAL.sub("?", query["sql"])
            seconds = float(query["time"])
            entry = shapes.setdefault(shape, {"count": 0, "total": 0.0, "max": 0.0, "sql": ""})
            entry["count"] += 1
            entry["total"] += seconds
            if seconds >= entry["max"]:
                entry["max"], entry["sql"] = seconds, query["sql"]
        total = sum(entry["total"] for entry in shapes.values())
        print(
            f"\n=== {name}: {elapsed:.2f} s, {len(captured.captured_queries)} queries, "
            f"{total:.2f} s in the database, {len(shapes)} shapes"
        )
        ranked = sorted(shapes.values(), key=lambda entry: entry["total"], reverse=True)
        for entry in ranked:
            summary = " ".join(entry["sql"].split())[:110]
            print(f"{entry['count']:>5} x {entry['total']:8.3f} s  {summary}")
        for number, entry in enumerate(ranked[:top], start=1):
            print(
                f"\n--- {number}. {entry['count']} x, {entry['total']:.3f} s in all, "
                f"slowest {entry['max']:.3f} s:\n{entry['sql'][:1500]}\n"
            )
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + entry["sql"])
                print("\n".join(line for (line,) in cursor.fetchall()))


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        run(args, Path(tmp))


def run(args, workdir):
    port = harness.free_port()
    env = environment(args.database, port, workdir)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    meta = prepare(args)
    # Kept data: only what changed since (new indexes) is migrated.
    began = time.time()
    call_command("migrate", "--noinput", verbosity=1)
    print(f"migrated in {time.time() - began:.0f} s", flush=True)
    # A migration that filled a table (0027: the kept statistics) leaves its visibility map
    # empty: without a vacuum every index-only scan would visit the table.
    with psycopg.connect(f"{SERVER}/{args.database}", autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) reporting_statisticsday, reporting_statisticsfact")
    if args.regenerate or not (STATIC_ROOT / "staticfiles.json").exists():
        print("collecting static files ...", flush=True)
        call_command("collectstatic", "--noinput", verbosity=0)
    selected = [
        page for page in pages(meta) if not args.only or any(w in page[0] for w in args.only)
    ]
    if any(name.startswith("statistics ") and "live" not in name for name, _, _ in selected):
        counted, seconds = supervisor_snapshots()
        print(
            f"supervisors' statistics snapshots ({counted}) refreshed by the worker in "
            f"{seconds:.3f} s",
            flush=True,
        )
    if not args.only or any(word in "public statistics page" for word in args.only):
        path, refresh_seconds = public_page()
        print(f"public figures refreshed by the worker in {refresh_seconds:.3f} s", flush=True)
        selected.append(("public statistics page", None, path))
    if not selected:
        raise SystemExit("--only matches no page")
    cookies = sessions({username for _name, username, _path in selected if username})
    connection.close()

    if not args.no_timing:
        # A page over a million clues may take minutes: gunicorn must not kill the worker.
        options = ("--timeout", "900")
        with harness.serving(port, env, workers=1, log=workdir / "gunicorn.log", options=options):
            print("timing ...", flush=True)
            rows = time_pages(selected, cookies, port, args)
        print_table(rows, meta)
    if args.explain:
        explain(selected, args.explain_top)


if __name__ == "__main__":
    main()
