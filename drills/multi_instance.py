#!/usr/bin/env python
"""Several instances: three gunicorn instances and two task workers sharing one PostgreSQL,
one Redis and one evidence storage, with requests spread across the instances.

    .venv/bin/python drills/multi_instance.py [--storage s3|local] [--reports 150]
        [--clients 12] [--seconds 20] [--redis-url redis://127.0.0.1:6379/12]

Starts its own PostgreSQL cluster (loaded with the demo content), moto's S3 server with the
two buckets (or, with --storage local, one shared pair of folders), three gunicorn instances
in production settings (one worker of 64 threads each, REDIS_URL set: page cache, rate-limit
counters and the task queue in Redis; sessions and sign-in failures in PostgreSQL) and two
`run_worker` processes. Every client is a person behind the proxy: its address arrives in
X-Forwarded-For (TRUSTED_PROXY_HOPS=1, the production default), so the limits are the
production ones (REPORT_RATE_LIMIT 10 an hour, LOGIN_FAILURE_LIMIT 5, the status lookup's
delays) and only REPORT_MIN_SECONDS is 0 (a script fills the form at once). Then:

1. coherence: a draft is published through the admin of one instance (signed in with password
   and authenticator code, Wagtail's bulk "publish" action) while readers poll the page on all
   three; how long each instance served the old page after the publication answered;
2. one report, its form from A, its POST (with a photo) to B, its receipt from C;
3. failed sign-ins spread over the instances, against the same on one instance; a burst;
4. the report rate limit: sequential reports from one address spread over the instances,
   then a burst of simultaneous ones;
5. the status lookup's lock-out: wrong keys on one instance, then the others; a burst;
6. kill -9 of one instance (master and worker) a third of the way through --reports reports
   from --clients clients; a client whose request fails sends it again to another instance,
   as a person presses send again, under the same form (submission token);
7. a webhook queued seven times at once with two workers: delivered once;
8. throughput with 1, 2 and 3 instances (one gunicorn worker each): text-only reports a
   second and cached pages a second, --seconds each.

PASS: every check of 1-7 holds (see the verdict's lines); 8 is figures only. Redis database
--redis-url is flushed at the start and at the end.
"""

import argparse
import collections
import contextlib
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import psycopg
import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness

NAMES = "ABC"
TEXT = "多实例演练"
S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "drill-access-key", "S3_SECRET_ACCESS_KEY": "drill-secret"}
BUCKETS = {"S3_MEDIA_BUCKET": "drill-media", "S3_PRIVATE_BUCKET": "drill-evidence"}
EDITOR, EDITOR_PASSWORD = "drill-editor", "Drill-editor-passw0rd-7731"
WRONG_PASSWORD = "Wr0ng-guess-4471"


# --- the pieces -------------------------------------------------------------------------


class Instances:
    """The gunicorn instances, each on its own port, with one worker (64 threads)."""

    def __init__(self, env, workdir, count=3):
        self.env = env
        self.workdir = workdir
        self.ports = [harness.free_port() for _ in range(count)]
        self.servers = [None] * count

    def base(self, index):
        return f"http://127.0.0.1:{self.ports[index]}"

    @property
    def bases(self):
        return [self.base(index) for index in range(len(self.ports))]

    def start(self, index):
        log = self.workdir / f"gunicorn-{NAMES[index]}.log"
        try:
            self.servers[index] = harness.start_gunicorn(
                self.ports[index], self.env, workers=1, log=log
            )
        except SystemExit as failed:  # in a thread: said here, or it would go unseen
            print(f"instance {NAMES[index]}: {failed}", file=sys.stderr)

    def start_all(self):
        threads = [threading.Thread(target=self.start, args=(i,)) for i in range(len(self.ports))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not all(self.servers):
            raise SystemExit("an instance did not start")

    def kill(self, index):
        """SIGKILL to the master and its worker at once, as when a container or its machine
        dies: nothing finishes its requests."""
        master = self.servers[index]
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        for pid in [master.pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        master.wait()

    def stop_all(self):
        for server in self.servers:
            if server is not None:
                harness.stop_process(server)

    def errors_logged(self):
        return sum(
            path.read_text(errors="replace").count("Traceback")
            for path in self.workdir.glob("gunicorn-*.log")
        )


class Balancer:
    """Round robin over the instances a load balancer still sends to; one that refused a
    connection is taken out, as a passive health check does."""

    def __init__(self, bases):
        self.bases = list(bases)
        self.down = set()
        self.turn = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            live = [base for base in self.bases if base not in self.down]
            self.turn += 1
            return live[self.turn % len(live)]

    def mark_down(self, base):
        with self.lock:
            self.down.add(base)


class Visitor:
    """One person's browser behind the TLS proxy and the load balancer: its cookies, its
    address as the proxy forwards it (X-Forwarded-For), sent to whichever instance."""

    def __init__(self, address):
        self.address = address
        self.session = requests.Session()

    def headers(self, base, referer_path):
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        return {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Referer": base.replace("http://", "https://") + referer_path,
            "Cookie": cookie,
        }

    def get(self, base, path, timeout=30):
        return self.session.get(
            base + path,
            headers=self.headers(base, path),
            allow_redirects=False,
            timeout=timeout,
        )

    def post(self, base, path, data, files=None, timeout=60):
        return self.session.post(
            base + path,
            data=data,
            files=files,
            headers=self.headers(base, path),
            allow_redirects=False,
            timeout=timeout,
        )


def location_path(response):
    location = response.headers["Location"]
    return re.sub(r"^https?://[^/]+", "", location)


def report(visitor, store, text, form_at, post_at, receipt_at, photo=None):
    """One report: the form from one instance, the POST to another, the receipt from a third.
    Returns (POST status, receipt number or None)."""
    form = visitor.get(form_at, "/report/")
    data = harness.report_data(form.text, store, text)
    files = {"evidence": ("photo.jpg", photo, "image/jpeg")} if photo else None
    sent = visitor.post(post_at, "/report/", data, files=files)
    if sent.status_code != 302:
        return sent.status_code, None
    page = visitor.get(receipt_at, location_path(sent))
    return 302, harness.receipt_number(page.text)


def address(kind, number):
    """A distinct client address per person: 10.k.x.y, k the kind of traffic."""
    return f"10.{kind}.{number // 256 % 256}.{number % 256}"


# --- 1. page cache coherence -----------------------------------------------------------------


def sign_in_to_admin(visitor, base):
    """Password, then the authenticator's code (django-otp's TOTP on the drill's key)."""
    from accounts import demo

    page = visitor.get(base, "/admin/login/")
    answer = visitor.post(
        base,
        "/admin/login/",
        {
            "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
            "username": EDITOR,
            "password": EDITOR_PASSWORD,
            "next": "/admin/",
        },
    )
    for _hop in range(5):
        if answer.status_code != 302:
            break
        path = location_path(answer)
        page = visitor.get(base, path)
        if 'name="code"' in page.text:
            answer = visitor.post(
                base,
                path,
                {
                    "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
                    "code": demo.code(),
                },
            )
            return answer.status_code == 302
        answer = page
    return False


def publish_through(visitor, base, page_id):
    """Wagtail's bulk "publish" action on the page, through this instance's admin: it
    publishes the page's latest revision (the draft the drill saved)."""
    path = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}&next=/admin/"
    confirm = visitor.get(base, path)
    token = harness.field("csrfmiddlewaretoken", confirm.text)
    return visitor.post(base, path, {"csrfmiddlewaretoken": token})


def coherence(instances, rounds=3):
    """Readers poll one page on every instance while an editor publishes a new title through
    one of them (a different one each round)."""
    from django.contrib.auth import get_user_model

    from accounts import demo
    from content.models import NewsPage

    editor = get_user_model().objects.create_superuser(
        EDITOR, "drill-editor@example.org", EDITOR_PASSWORD
    )
    demo.give_demo_authenticators([editor])
    page = NewsPage.objects.live().order_by("pk").first()
    url = page.url
    bases = instances.bases
    results = []
    # One sign-in, on A: the staff session (in PostgreSQL) then serves on B and C as well.
    visitor = Visitor("192.0.2.10")
    signed_in = sign_in_to_admin(visitor, bases[0])
    for number in range(rounds):
        publisher = number % len(bases)
        marker = f"多实例第{number + 1}轮"
        page.refresh_from_db()
        page.title = f"{page.title.split(' 多实例')[0]} {marker}"
        page.save_revision(user=editor)  # a draft: readers still get the old page
        reads = {base: [] for base in bases}
        stop = threading.Event()

        def reader(base, reads=reads, marker=marker, stop=stop):
            session = requests.Session()
            headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.20"}
            while not stop.is_set():
                sent = time.monotonic()  # a read sent before the publication may be old
                response = session.get(base + url, headers=headers, timeout=30)
                reads[base].append((sent, response.status_code, marker in response.text))
                session.cookies.clear()
                time.sleep(0.005)

        threads = [threading.Thread(target=reader, args=(base,)) for base in bases]
        for thread in threads:
            thread.start()
        time.sleep(3)  # every instance serves the old page from the cache by now
        sent_at = time.monotonic()
        published = publish_through(visitor, bases[publisher], page.pk)
        answered_at = time.monotonic()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join()
        per_instance = {}
        for base, seen in reads.items():
            before = [fresh for at, _s, fresh in seen if at < sent_at]
            after = [(at, fresh) for at, status, fresh in seen if at >= answered_at]
            stale = [at for at, fresh in after if not fresh]
            per_instance[base] = {
                "fresh_before": sum(before),
                "reads_before": len(before),
                "reads_after": len(after),
                "stale_after": len(stale),
                "stale_ms": (max(stale) - answered_at) * 1000 if stale else 0.0,
                "non_200": sum(status != 200 for _at, status, _f in seen),
            }
        results.append(
            {
                "publisher": publisher,
                "signed_in": signed_in,
                "published": published.status_code,
                "publish_ms": (answered_at - sent_at) * 1000,
                "instances": per_instance,
            }
        )
    return url, results


# --- 3. sign-in failures ------------------------------------------------------------------


def failed_sign_in(visitor, base, username, password=WRONG_PASSWORD):
    page = visitor.get(base, "/admin/login/")
    answer = visitor.post(
        base,
        "/admin/login/",
        {
            "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
            "username": username,
            "password": password,
            "next": "/admin/",
        },
    )
    return answer.status_code


def sign_in_failures(bases, attempts):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for name in ("drill-spread", "drill-one", "drill-burst"):
        users.create_user(name, f"{name}@example.org", EDITOR_PASSWORD, is_staff=True)
    spread_visitor, one_visitor = Visitor("192.0.2.31"), Visitor("192.0.2.32")
    spread = [
        failed_sign_in(spread_visitor, bases[n % len(bases)], "drill-spread")
        for n in range(attempts)
    ]
    one = [failed_sign_in(one_visitor, bases[0], "drill-one") for _n in range(attempts)]
    right_password = [
        failed_sign_in(spread_visitor, base, "drill-spread", EDITOR_PASSWORD) for base in bases
    ]

    def send(visitor, base, wait):
        page = visitor.get(base, "/admin/login/")
        data = {
            "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
            "username": "drill-burst",
            "password": WRONG_PASSWORD,
            "next": "/admin/",
        }
        wait()
        return visitor.post(base, "/admin/login/", data).status_code

    burst = burst_of(bases, 15, send, "192.0.2.33")
    return spread, one, right_password, burst


def burst_of(bases, count, send, client_address):
    """`count` requests from one client address, spread over the instances, sent together
    (each person's page fetched first, then every POST released at once)."""
    barrier = threading.Barrier(count)
    statuses = [None] * count

    def one(number):
        visitor = Visitor(client_address)
        base = bases[number % len(bases)]
        try:
            statuses[number] = send(visitor, base, barrier.wait)
        except Exception as error:  # counted
            statuses[number] = type(error).__name__

    harness.run_clients(count, one)
    return statuses


# --- 4. the report rate limit ------------------------------------------------------------------


def report_rate_limit(bases, store, reports):
    visitor = Visitor("192.0.2.41")
    statuses = []
    for n in range(reports):
        status, _number = report(
            visitor,
            store,
            f"{TEXT} 限速 {n}",
            bases[n % 3],
            bases[(n + 1) % 3],
            bases[(n + 2) % 3],
        )
        statuses.append(status)

    def send(visitor, base, wait):
        form = visitor.get(base, "/report/")
        data = harness.report_data(form.text, store, f"{TEXT} 并发限速")
        wait()
        return visitor.post(bases[(bases.index(base) + 1) % 3], "/report/", data).status_code

    burst = burst_of(bases, 16, send, "192.0.2.42")
    return statuses, burst


# --- 5. the status lookup's lock-out ------------------------------------------------------------


def lookup(visitor, base, number, key):
    page = visitor.get(base, "/report/status/")
    answer = visitor.post(
        base,
        "/report/status/",
        {
            "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
            "tracking_number": number,
            "access_key": key,
        },
    )
    return answer.status_code


def status_lockout(bases, number, key):
    """Wrong keys from one client: three on A, B, C (the free ones, after which each try
    waits), then the waits sat out until the pair is refused for the window (5 failures)."""
    wrong = "WRONG-" + key[6:] if not key.startswith("WRONG") else "X" + key[1:]
    visitor = Visitor("192.0.2.51")
    steps = []
    for base in bases:
        steps.append(("wrong key", base, lookup(visitor, base, number, wrong)))
    for base in bases:
        steps.append(("wrong key at once", base, lookup(visitor, base, number, wrong)))
    # The waits are whole seconds, rounded up: 5 s after the third failure, 10 after the fourth.
    time.sleep(6.1)
    steps.append(("wrong key after 6 s", bases[1], lookup(visitor, bases[1], number, wrong)))
    time.sleep(11.1)
    steps.append(("wrong key after 11 s", bases[2], lookup(visitor, bases[2], number, wrong)))
    for base in bases:
        steps.append(("right key, locked", base, lookup(visitor, base, number, key)))
    other = Visitor("192.0.2.52")
    steps.append(("right key, another client", bases[2], lookup(other, bases[2], number, key)))

    def send(visitor, base, wait):
        page = visitor.get(base, "/report/status/")
        data = {
            "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", page.text),
            "tracking_number": number,
            "access_key": wrong,
        }
        wait()
        return visitor.post(base, "/report/status/", data).status_code

    burst = burst_of(bases, 20, send, "192.0.2.53")
    return steps, burst


# --- 6. an instance killed mid-load -----------------------------------------------------------


def load_with_kill(instances, store, reports, clients, kill_index):
    """Reports with a small photo, spread over the instances; one instance is killed once a
    third have their receipt. A request that fails (connection refused or cut, 5xx) is sent
    again to another instance: the same form, so the same submission token."""
    balancer = Balancer(instances.bases)
    tickets = harness.Tickets(reports)
    lock = threading.Lock()
    outcomes = []
    receipts_seen = [0]
    killed = threading.Event()
    killed_at = [None]
    began = time.monotonic()

    def with_retry(send, counts):
        for _attempt in range(8):
            base = balancer.next()
            try:
                response = send(base)
            except requests.ConnectionError:
                # Refused, or cut mid-request: the load balancer takes the instance out
                # once it is gone for good (a live one may only have been busy).
                if killed.is_set() and base == instances.base(kill_index):
                    balancer.mark_down(base)
                counts["resent"] += 1
                continue
            if response.status_code >= 500:
                counts["resent"] += 1
                counts["5xx"] += 1
                continue
            return response
        return None

    def client(_number):
        while (index := tickets.next()) is not None:
            counts = collections.Counter()
            visitor = Visitor(address(1, index))
            text = f"{TEXT} 负载 {index} " + "内容。" * 20
            outcome = {"index": index, "receipt": None, "counts": counts, "status": None}
            form = with_retry(lambda base, v=visitor: v.get(base, "/report/"), counts)
            if form is not None:
                data = harness.report_data(form.text, store, text)
                photo = harness.small_photo(index)
                sent = with_retry(
                    lambda base, v=visitor, d=data, p=photo: v.post(
                        base, "/report/", d, files={"evidence": ("photo.jpg", p, "image/jpeg")}
                    ),
                    counts,
                )
                for _retype in range(2):
                    if not (sent is not None and sent.status_code == 400 and counts["resent"]):
                        break
                    # The cut request had used up the captcha, but had not stored the report:
                    # the form comes back with the text and the photo kept (staged under the
                    # same token) and a new picture, which the person types and sends again.
                    counts["captcha typed again"] += 1
                    again = {
                        **data,
                        "captcha_0": harness.field("captcha_0", sent.text),
                        "captcha_1": store.answer(harness.field("captcha_0", sent.text)),
                    }
                    sent = with_retry(
                        lambda base, v=visitor, d=again: v.post(base, "/report/", d), counts
                    )
                outcome["status"] = sent.status_code if sent is not None else None
                if sent is not None and sent.status_code == 302:
                    path = location_path(sent)
                    page = with_retry(lambda base, v=visitor, p=path: v.get(base, p), counts)
                    if page is not None:
                        outcome["receipt"] = harness.receipt_number(page.text)
            with lock:
                outcomes.append(outcome)
                if outcome["receipt"]:
                    receipts_seen[0] += 1
                if not killed.is_set() and receipts_seen[0] >= reports // 3:
                    killed.set()
                    instances.kill(kill_index)
                    killed_at[0] = time.monotonic() - began

    wall = harness.run_clients(clients, client)
    return outcomes, killed_at[0], wall


def stored_reports(database_url, prefix):
    """This drill's clues with the given text prefix: tracking numbers and evidence names."""
    with psycopg.connect(database_url) as conn:
        numbers = [
            number
            for (number,) in conn.execute(
                "SELECT tracking_number FROM reporting_clue WHERE what_happened LIKE %s",
                (prefix + "%",),
            )
        ]
        names = [
            name
            for (name,) in conn.execute(
                "SELECT e.file FROM reporting_evidence e JOIN reporting_clue c "
                "ON c.id = e.clue_id WHERE c.what_happened LIKE %s",
                (prefix + "%",),
            )
        ]
        without = _common.clues_without_files(conn, prefix)
    return numbers, names, without


def files_in_storage(names):
    """How many of these evidence names the evidence storage holds (a bucket or a folder),
    asked through the portal's own storage."""
    from django.core.files.storage import storages

    private = storages["private"]
    return sum(private.exists(name) for name in names)


# --- 7. a webhook with two workers --------------------------------------------------------------


class Receiver(_common.WebhookReceiver):
    """A unit's system: counts requests per idempotency key; holds each a moment, so a second
    worker would have time to send the same delivery."""

    def __init__(self):
        self.requests = collections.Counter()
        self.valid = []
        self.lock = threading.Lock()
        super().__init__()

    def on_post(self, headers, body):
        with self.lock:
            self.requests[headers.get("Idempotency-Key")] += 1
            self.valid.append(_common.valid_signature(headers, body))
        time.sleep(0.5)


def webhook_once(receiver, copies=6):
    from reporting.jobs.forwarding import deliver_transfer
    from reporting.models import Delivery

    clue = _common.transfer_with_webhook(receiver.url)  # queues one delivery task
    delivery = Delivery.objects.get(transfer__clue=clue)
    for _copy in range(copies):  # the same delivery queued again, as forward_pending may
        deliver_transfer.enqueue(delivery.pk)
    deadline = time.time() + 180
    while time.time() < deadline:
        delivery.refresh_from_db()
        if delivery.status != Delivery.Status.PENDING:
            break
        time.sleep(0.2)
    time.sleep(5)  # a second sending would arrive now
    delivery.refresh_from_db()
    return {
        "status": delivery.status,
        "attempts": delivery.attempt_log.count(),
        "forwarded": clue.ledger.filter(action="forwarded").count(),
        "requests": dict(receiver.requests),
        "signed": all(receiver.valid) and bool(receiver.valid),
        "copies": copies + 1,
    }


# --- 8. throughput ------------------------------------------------------------------------


def throughput(bases, store, seconds, report_clients, page_clients, page_path):
    """Text-only reports a second (form, POST, receipt; each on the next instance) and cached
    pages a second, spread round robin over `bases`."""
    balancer = Balancer(bases)
    counter = [0]
    lock = threading.Lock()

    def timed(clients, work):
        done = collections.Counter()
        stop_at = time.monotonic() + seconds

        def client(number):
            while time.monotonic() < stop_at:
                try:
                    outcome = work(number)
                except requests.RequestException as error:
                    outcome = type(error).__name__
                with lock:
                    done[outcome] += 1

        wall = harness.run_clients(clients, client)
        return done, wall

    def one_report(_number):
        with lock:
            counter[0] += 1
            n = counter[0]
        visitor = Visitor(address(2, n))
        status, number = report(
            visitor,
            store,
            f"{TEXT} 吞吐 {n}",
            balancer.next(),
            balancer.next(),
            balancer.next(),
        )
        return "receipt" if number else status

    sessions = {}

    def one_page(number):
        session = sessions.setdefault(number, requests.Session())
        response = session.get(
            balancer.next() + page_path,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.80"},
            timeout=30,
        )
        session.cookies.clear()
        return response.status_code

    reports, report_wall = timed(report_clients, one_report)
    pages, page_wall = timed(page_clients, one_page)
    return reports, report_wall, pages, page_wall


# --- storage ------------------------------------------------------------------------------


def start_moto(workdir):
    return harness.start_moto(S3_CREDENTIALS, BUCKETS)


# --- the drill ------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage", choices=["s3", "local"], default="s3")
    harness.add_range_option(parser, "--reports", 150, 30, 10000, "reports during the kill")
    harness.add_range_option(parser, "--clients", 12, 1, 200, "clients during the kill")
    harness.add_range_option(parser, "--seconds", 20, 1, 600, "each throughput measure")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--generation-seconds",
        type=int,
        default=None,
        help="PAGE_CACHE_GENERATION_SECONDS for the instances (default: the portal's, 1)",
    )
    args = parser.parse_args()
    if args.storage == "s3" and not (harness.ROOT / "portal" / "settings" / "storage.py").exists():
        raise SystemExit("this portal has no S3 storage yet: run with --storage local")
    shared_redis = redis.Redis.from_url(args.redis_url)
    shared_redis.flushdb()
    moto = None
    extra = {
        "REDIS_URL": args.redis_url,
        "REPORT_MIN_SECONDS": "0",
        "TRUSTED_PROXY_HOPS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if args.generation_seconds is not None:
        extra["PAGE_CACHE_GENERATION_SECONDS"] = args.generation_seconds
    figures = {}
    with (
        _common.workspace("portal-drill-multi-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        if args.storage == "s3":
            moto, s3_settings = start_moto(workdir)
            extra.update(s3_settings)
        port = harness.free_port()
        env = harness.production_env(workdir, cluster.url, port, **extra)
        began = time.time()
        # Prepared without Redis: loading the demo queues its search and reference indexing
        # (some 1,600 tasks), which two RQ workers took about five minutes to work through on
        # the two shared cores before any check could start; no check reads the search index.
        harness.prepare_portal({k: v for k, v in env.items() if k != "REDIS_URL"})
        harness.manage(env, "migrate", "--noinput", "-v", "0")  # the RQ apps' tables
        _common.django_in_process(env)
        from django.conf import settings

        instances = Instances(env, workdir)
        workers = []
        receiver = Receiver()
        try:
            instances.start_all()
            workers = [_common.start_worker(env), _common.start_worker(env)]
            _common.wait_for_worker()
            figures["started"] = time.time() - began
            store = harness.CaptchaStore(cluster.url)
            bases = figures["bases"] = instances.bases
            print(f"portal ready in {figures['started']:.0f} s: instances {', '.join(bases)}")

            figures["coherence"] = coherence(instances)
            print("coherence done", flush=True)
            visitor = Visitor("192.0.2.61")
            status, number = report(
                visitor, store, f"{TEXT} 跨实例", bases[0], bases[1], bases[2],
                photo=harness.small_photo(7),
            )  # fmt: skip
            figures["across"] = (status, number)
            print("across done", flush=True)
            figures["sign_in"] = sign_in_failures(bases, 8)
            print("sign-in done", flush=True)
            figures["rate"] = report_rate_limit(bases, store, settings.REPORT_RATE_LIMIT + 3)
            print("rate done", flush=True)
            number, key = lockout_target(store, bases)
            figures["lockout"] = status_lockout(bases, number, key)
            print("lockout done", flush=True)

            outcomes, killed_at, wall = load_with_kill(
                instances, store, args.reports, args.clients, kill_index=2
            )
            numbers, names, without = stored_reports(cluster.url, f"{TEXT} 负载")
            figures["kill"] = {
                "outcomes": outcomes,
                "killed_at": killed_at,
                "wall": wall,
                "numbers": numbers,
                "names": names,
                "without": without,
                "in_storage": files_in_storage(names),
            }
            print("kill done", flush=True)
            # The reports left their tasks in the queue (mail to staff, among others): the
            # delivery would wait behind them, and "once" is what is checked here, not how soon.
            figures["queue_drained"] = idle_workers(shared_redis, seconds=600)
            figures["webhook"] = webhook_once(receiver)
            figures["workers_alive"] = sum(worker.poll() is None for worker in workers)
            print("webhook done", flush=True)

            instances.start(2)
            rates = []
            for count in (1, 2, 3):
                queued = idle_workers(shared_redis, seconds=300)
                load = os.getloadavg()[0]
                measured = throughput(bases[:count], store, args.seconds, 8, 16, "/")
                rates.append((count, *measured, load, queued))
            figures["throughput"] = rates
            figures["errors_logged"] = instances.errors_logged()
        finally:
            instances.stop_all()
            for worker in workers:
                harness.stop_process(worker)
            receiver.close()
            if moto is not None:
                moto.terminate()
                moto.wait()
            shared_redis.flushdb()
        figures["wall"] = time.time() - began
    return verdict(args, figures)


def idle_workers(shared_redis, seconds=120):
    """Until the task queue is empty (what the reports before queued, mail to staff among
    it), so that one measure does not pay for the work of another; returns the tasks that
    were waiting."""
    waiting = shared_redis.llen("rq:queue:default")
    deadline = time.time() + seconds
    while shared_redis.llen("rq:queue:default") and time.time() < deadline:
        time.sleep(0.5)
    return waiting


def lockout_target(store, bases):
    """A report of its own (tracking number and access key from its receipt) whose status
    the lock-out checks guess at."""
    visitor = Visitor("192.0.2.62")
    form = visitor.get(bases[0], "/report/")
    data = harness.report_data(form.text, store, f"{TEXT} 查询")
    sent = visitor.post(bases[0], "/report/", data)
    page = visitor.get(bases[0], location_path(sent))
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', page.text).group(1).strip()
    return harness.receipt_number(page.text), key


def verdict(args, figures):
    from django.conf import settings

    check = _common.Verdict("Several instances drill")
    print(
        f"\nSeveral instances: 3 gunicorn instances (1 worker x 64 threads each), 2 task "
        f"workers, one PostgreSQL, Redis {args.redis_url}, evidence in "
        f"{'S3 (moto_server)' if args.storage == 's3' else 'one local folder'}; "
        f"PAGE_CACHE_GENERATION_SECONDS={settings.PAGE_CACHE_GENERATION_SECONDS}"
    )

    url, rounds = figures["coherence"]
    window_ms = settings.PAGE_CACHE_GENERATION_SECONDS * 1000
    print(f"\n1. Page cache coherence ({url}, readers polling every instance)")
    worst = 0.0
    coherent = True
    for result in rounds:
        cells = []
        for index, seen in enumerate(result["instances"].values()):
            cells.append(
                f"{NAMES[index]}: {seen['stale_after']} stale of {seen['reads_after']} reads, "
                f"last stale {seen['stale_ms']:.0f} ms"
            )
            own = index == result["publisher"]
            worst = max(worst, seen["stale_ms"]) if not own else worst
            coherent &= seen["non_200"] == 0 and seen["reads_before"] > 10
            coherent &= seen["fresh_before"] == 0
            coherent &= (seen["stale_after"] == 0) if own else seen["stale_ms"] <= window_ms + 250
        coherent &= result["signed_in"] and result["published"] == 302
        print(
            f"  published through {NAMES[result['publisher']]} "
            f"(signed in: {'yes' if result['signed_in'] else 'NO'}, "
            f"answer {result['published']} in {result['publish_ms']:.0f} ms); after it: "
            + "; ".join(cells)
        )
    check.check(
        "a publication through one instance: its own readers fresh at once, the others' "
        f"within PAGE_CACHE_GENERATION_SECONDS ({window_ms} ms; worst {worst:.0f} ms), "
        "none stale after that",
        coherent,
    )

    status, number = figures["across"]
    print(f"\n2. One report: form from A, POST with a photo to B, receipt from C: {status}, "
          f"receipt {number}")  # fmt: skip
    check.check("a report across three instances gets its receipt", status == 302 and number)

    spread, one, right, burst = figures["sign_in"]
    limit = settings.LOGIN_FAILURE_LIMIT
    print(f"\n3. Failed sign-ins, one account at one client (LOGIN_FAILURE_LIMIT {limit})")
    print(f"  spread over A, B, C:   {spread}")
    print(f"  all on A:              {one}")
    print(f"  then the right password on A, B, C: {right}")
    burst_counts = collections.Counter(burst)
    print(f"  a burst of {len(burst)} at once over A, B, C: {dict(burst_counts)}")
    expected = [200] * (limit - 1) + [429] * (len(spread) - limit + 1)
    check.check(
        f"sign-in failures spread over instances lock like on one (the {limit}th refused)",
        spread == one == expected and right == [429, 429, 429],
    )

    sequential, burst = figures["rate"]
    rate = settings.REPORT_RATE_LIMIT
    print(f"\n4. Reports from one address (REPORT_RATE_LIMIT {rate} an hour)")
    print(f"  one after another, each form, POST and receipt on a different instance: "
          f"{dict(collections.Counter(sequential))}")  # fmt: skip
    burst_counts = collections.Counter(burst)
    print(f"  a burst of {len(burst)} at once over A, B, C: {dict(burst_counts)}")
    check.check(
        f"the report rate limit holds across instances: {rate} through, the rest 429",
        sequential == [302] * rate + [429] * (len(sequential) - rate),
    )
    check.check(
        f"and under a burst: exactly {rate} through",
        burst_counts[302] == rate and burst_counts[429] == len(burst) - rate,
    )

    steps, burst = figures["lockout"]
    print("\n5. Status lookup, wrong access keys from one client")
    for label, base, status in steps:
        print(f"  {label:28} on {NAMES[figures['bases'].index(base)]}: {status}")
    burst_counts = collections.Counter(burst)
    print(f"  a burst of {len(burst)} wrong keys at once over A, B, C: {dict(burst_counts)}")
    statuses = [status for _l, _b, status in steps]
    check.check(
        "the status lock-out holds on every instance: waits after 3 failures, the pair "
        "refused after 5 (right key included), another client let in",
        statuses == [400, 400, 400, 429, 429, 429, 400, 400, 429, 429, 429, 302],
    )
    check.check(
        "and under a burst: at most 3 wrong keys checked before the client waits",
        burst_counts[400] <= 3,
    )

    kill = figures["kill"]
    outcomes = kill["outcomes"]
    receipts = [o["receipt"] for o in outcomes if o["receipt"]]
    resent = sum(o["counts"]["resent"] for o in outcomes)
    resent_reports = sum(1 for o in outcomes if o["counts"]["resent"])
    five_xx = sum(o["counts"]["5xx"] for o in outcomes)
    refused = collections.Counter(o["status"] for o in outcomes if not o["receipt"])
    numbers = kill["numbers"]
    print(
        f"\n6. {args.reports} reports with a photo from {args.clients} clients over A, B, C; "
        f"C killed (SIGKILL, master and worker) at {kill['killed_at']:.1f} s, "
        f"all done in {kill['wall']:.1f} s"
    )
    print(f"  receipts shown                       {len(receipts)}")
    print(f"  requests sent again to another instance {resent} (for {resent_reports} reports; "
          f"{five_xx} of them after a 5xx)")  # fmt: skip
    retyped = sum(o["counts"]["captcha typed again"] for o in outcomes)
    print(f"  captcha typed again after a resend   {retyped}")
    print(f"  reports without a receipt            {sum(refused.values())} {dict(refused)}")
    print(f"  clues stored / distinct numbers      {len(numbers)} / {len(set(numbers))}")
    print(f"  evidence files in the storage        {kill['in_storage']} of {len(kill['names'])}")
    print(f"  clues without their photo            {kill['without']}")
    n = args.reports
    check.check(
        f"an instance killed mid-load: {n} receipts, {n} clues, none duplicated, each "
        "receipt's clue stored",
        len(receipts) == n == len(numbers) == len(set(numbers)) and set(receipts) == set(numbers),
    )
    check.check(
        "every clue with its photo in the storage",
        kill["in_storage"] == len(kill["names"]) >= n and kill["without"] == 0,
    )
    check.check("requests cut by the kill were sent again and went through", resent > 0)

    hook = figures["webhook"]
    print(
        f"\n7. After the {figures['queue_drained']} tasks the reports had queued: a "
        f"transfer's webhook queued {hook['copies']} times, 2 workers "
        f"({figures['workers_alive']} alive at the end): receiver got {hook['requests']}, "
        f"signed: {hook['signed']}; delivery {hook['status']}, {hook['attempts']} attempt(s), "
        f"{hook['forwarded']} 'forwarded' on the ledger"
    )
    check.check(
        "the webhook delivered once although two workers could claim it",
        list(hook["requests"].values()) == [1]
        and hook["signed"]
        and hook["status"] == "delivered"
        and hook["attempts"] == 1
        and hook["forwarded"] == 1
        and figures["workers_alive"] == 2,
    )

    print(
        f"\n8. Throughput, {args.seconds} s each, one gunicorn worker (64 threads) per "
        "instance, clients on the same 2 cores"
    )
    print(
        "  instances  text-only reports/s (8 clients)  cached page / req/s (16 clients)"
        "  load average before  tasks queued before"
    )
    for count, reports, report_wall, pages, page_wall, load, queued in figures["throughput"]:
        other = {k: v for k, v in reports.items() if k != "receipt"}
        other_pages = {k: v for k, v in pages.items() if k != 200}
        print(
            f"  {count:9}  {reports['receipt'] / report_wall:31.1f} {other or ''}"
            f"{pages[200] / page_wall:33.0f} {other_pages or ''}  {load:19.1f}  {queued:19}"
        )
    print(f"\n  tracebacks in the instances' logs: {figures['errors_logged']}")
    print(f"  drill wall time: {figures['wall']:.0f} s")
    return check.report()


if __name__ == "__main__":
    raise SystemExit(main())
