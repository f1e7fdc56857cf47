#!/usr/bin/env python
"""Slow-client drill: clients that trickle a report's body or their headers, while readers and
reporters go on, through the shipped proxy and gunicorn.

    .venv/bin/python drills/slow_clients.py [--seconds 150] [--no-proxy]
        [--worker-class sync --threads 1] [--slow-body 20] [--slow-header 20]

Starts its own PostgreSQL cluster, the portal under gunicorn (gunicorn.conf.py, 2 workers,
production settings) and, unless --no-proxy, nginx with deploy/nginx/nginx.conf in front of it
(TLS with a certificate made for the run), all on 127.0.0.1. Then, for --seconds:

- slow-body clients POST a multipart report to /report/, 64 bytes every 2 s, and connect
  again whenever the server lets them go;
- slow-header clients send a request line, then a header line every 2 s, never ending it;
- readers GET the public pages the sitemap lists; reporters send real reports with a small
  photo (the form, its captcha answered from the store, the POST, the receipt);
- one reporter on a slow line sends a 2 MB photo at 20 KB/s.

Prints the latency and errors of each group of normal traffic, and what the slow clients got.
PASS: p99 of the normal traffic under 1 s, no error in it, every report that got a receipt
stored (counted in the database), the slow upload's receipt shown and its clue stored with its
photo, and (with the proxy) no client address in the proxy's log.

--no-proxy points every client straight at gunicorn, to compare worker classes: --worker-class
and --threads are passed to gunicorn after gunicorn.conf.py, --app names another application
(portal.asgi:application for an ASGI worker).
"""

import argparse
import collections
import http.client
import http.cookies
import socket
import ssl
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common
import _proxy

from benchmarks import harness

TRICKLE_BYTES = 64
TRICKLE_SECONDS = 2
# What a slow-body client claims it will send: a report with a few photos.
CLAIMED_BODY = 10 * 1024 * 1024
UPLOAD_BYTES_PER_SECOND = 20 * 1024
P99_BUDGET = 1.0
TEXT_PREFIX = "慢速客户端演练"


class Target:
    """Where the clients connect: the proxy over TLS, or gunicorn itself."""

    def __init__(self, base, certificate=None):
        self.base = base
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.certificate = certificate
        self.context = certificate and ssl.create_default_context(cafile=str(certificate))

    def connect(self, timeout=10):
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        if self.context:
            sock = self.context.wrap_socket(sock, server_hostname=self.host)
        return sock

    def http(self, timeout=60):
        if self.context:
            return http.client.HTTPSConnection(
                self.host, self.port, context=self.context, timeout=timeout
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def browser(self):
        browser = harness.Browser(self.base)
        if self.context:
            # Only this run's certificate: the environment's CA bundle would take precedence.
            browser.session.trust_env = False
            browser.session.verify = str(self.certificate)
        return browser


class SlowTally:
    """What one kind of slow client got: connections opened, answers by status, connections
    the server closed or reset without an answer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connections = 0
        self.answers = collections.Counter()
        self.dropped = 0

    def add(self, field, key=None):
        with self.lock:
            if field == "answers":
                self.answers[key] += 1
            else:
                setattr(self, field, getattr(self, field) + 1)


def received(sock):
    """What the server has sent, b"" once it closed, None while it says nothing. Without
    waiting: readable TLS may hold no data yet (a session ticket), and a blocked read would
    stop the trickle."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return sock.recv(4096)
    except (BlockingIOError, ssl.SSLWantReadError):
        return None
    finally:
        sock.settimeout(timeout)


def trickle(target, opening, piece, stop, tally):
    """Open a connection, send `opening`, then `piece` every TRICKLE_SECONDS until the server
    answers or lets go; then again, until `stop`."""
    while not stop.is_set():
        try:
            sock = target.connect()
        except OSError:
            tally.add("dropped")
            stop.wait(1)
            continue
        tally.add("connections")
        try:
            sock.sendall(opening)
            while not stop.wait(TRICKLE_SECONDS):
                answer = received(sock)
                if answer is not None:
                    if answer:
                        tally.add("answers", answer.split(b"\r\n", 1)[0].decode(errors="replace"))
                    else:
                        tally.add("dropped")
                    break
                sock.sendall(piece)
        except OSError:
            tally.add("dropped")
        finally:
            sock.close()


def slow_body_opening(target):
    """A report's POST as a browser that opened the form sends it (its CSRF cookie and
    referrer, so the portal reads the body rather than refusing it at once), but with a long
    body to come."""
    browser = target.browser()
    browser.get("/report/")
    boundary = "slowdrillboundary"
    headers = "".join(f"{name}: {value}\r\n" for name, value in browser.headers().items())
    return (
        f"POST /report/ HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n{headers}"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {CLAIMED_BODY}\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="what_happened"\r\n\r\n'
    ).encode()


def slow_header_opening(target):
    return f"GET / HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n".encode()


class Traffic:
    """Latencies and errors of the normal traffic, by group."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = collections.defaultdict(list)
        self.errors = collections.defaultdict(collections.Counter)
        self.receipts = []
        self.reports_sent = 0

    def timed(self, group, expected, call, *args, **kwargs):
        """call(*args, **kwargs) timed under `group`; its response, or None after an error or
        a status not in `expected` (counted)."""
        started = time.perf_counter()
        try:
            response = call(*args, **kwargs)
        except requests.RequestException as error:
            self.record(group, time.perf_counter() - started, type(error).__name__)
            return None
        problem = None if response.status_code in expected else f"HTTP {response.status_code}"
        self.record(group, time.perf_counter() - started, problem)
        return None if problem else response

    def record(self, group, latency, problem):
        with self.lock:
            self.latencies[group].append(latency)
            if problem:
                self.errors[group][problem] += 1


def public_paths(target):
    """The pages a reader finds: the sitemap's, both languages."""
    sitemap = target.browser().get("/sitemap.xml").text
    paths = [urlsplit(loc).path for loc in sitemap.split("<loc>")[1:]]
    paths = [path.split("</loc>")[0] for path in paths]
    return sorted(set(paths) | {"/", "/en/"})


def reader(target, paths, traffic, stop, number):
    browser = target.browser()
    turn = number
    while not stop.is_set():
        path = paths[turn % len(paths)]
        turn += 1
        traffic.timed("reader", {200}, browser.get, path)
        stop.wait(0.2)


def reporter(target, store, traffic, stop, number):
    browser = target.browser()
    sent = 0
    while not stop.is_set():
        form = traffic.timed("reporter", {200}, browser.get, "/report/")
        if form is None:
            stop.wait(0.5)
            continue
        text = f"{TEXT_PREFIX} {number}-{sent} " + "内容。" * 20
        data = harness.report_data(form.text, store, text)
        photo = ("photo.jpg", harness.small_photo(number * 10_000 + sent), "image/jpeg")
        sent += 1
        with traffic.lock:
            traffic.reports_sent += 1
        posted = traffic.timed(
            "reporter", {302}, browser.post, "/report/", data, files={"evidence": photo}
        )
        if posted is not None:
            page = traffic.timed("reporter", {200}, browser.get, posted.headers["Location"])
            number_shown = page is not None and harness.receipt_number(page.text)
            if number_shown:
                with traffic.lock:
                    traffic.receipts.append(number_shown)
        stop.wait(0.5)


def slow_line_photo():
    """A phone photo of just over 2 MB."""
    return harness.random_jpeg(7, (1700, 1300), 92)


def slow_upload(target, store, outcome):
    """A report with a 2 MB photo sent at UPLOAD_BYTES_PER_SECOND, as from a poor mobile line;
    `outcome` gets its status, receipt and seconds."""
    try:
        browser = target.browser()
        form = browser.get("/report/")
        text = f"{TEXT_PREFIX} slow line " + "内容。" * 20
        data = harness.report_data(form.text, store, text)
        photo = ("phone.jpg", slow_line_photo(), "image/jpeg")
        request = requests.Request(
            "POST",
            f"{target.base}/report/",
            data=data,
            files={"evidence": photo},
            headers=browser.headers(),
        ).prepare()
        outcome["bytes"] = len(request.body)
        connection = target.http(timeout=120)
        began = time.time()
        connection.putrequest("POST", "/report/", skip_accept_encoding=True)
        for name, value in request.headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        step = UPLOAD_BYTES_PER_SECOND // 10
        for offset in range(0, len(request.body), step):
            connection.send(request.body[offset : offset + step])
            # Paced on the clock from the start, so a slow send is not made slower still.
            time.sleep(max(0.0, began + (offset + step) / UPLOAD_BYTES_PER_SECOND - time.time()))
        response = connection.getresponse()
        response.read()
        outcome["status"] = response.status
        outcome["seconds"] = time.time() - began
        if response.status == 302:
            # The receipt travels in a cookie the answer sets, as a browser keeps it.
            for header in response.msg.get_all("Set-Cookie") or ():
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    browser.session.cookies.set(name, morsel.value)
            page = browser.get(response.getheader("Location"))
            outcome["receipt"] = harness.receipt_number(page.text)
    except (OSError, http.client.HTTPException, requests.RequestException) as error:
        outcome["error"] = f"{type(error).__name__}: {error}"


def stored(database_url):
    """The drill's clues in the database: their tracking numbers, and the slow line's clue's
    evidence rows."""
    with psycopg.connect(database_url) as conn:
        numbers = [
            number
            for (number,) in conn.execute(
                "SELECT tracking_number FROM reporting_clue WHERE what_happened LIKE %s",
                (TEXT_PREFIX + " %",),
            )
        ]
        photos = conn.execute(
            "SELECT count(*) FROM reporting_evidence e JOIN reporting_clue c "
            "ON c.id = e.clue_id WHERE c.what_happened LIKE %s",
            (TEXT_PREFIX + " slow line%",),
        ).fetchone()[0]
    return numbers, photos


def run(args, target, store):
    """Every client for args.seconds; returns (traffic, slow tallies, upload outcome)."""
    stop = threading.Event()
    traffic = Traffic()
    tallies = {"slow body": SlowTally(), "slow header": SlowTally()}
    paths = public_paths(target)
    upload = {}
    threads = [threading.Thread(target=slow_upload, args=(target, store, upload))]
    opening = slow_body_opening(target)
    for _ in range(args.slow_body):
        threads.append(threading.Thread(target=trickle, args=(
            target, opening, b"x" * TRICKLE_BYTES, stop, tallies["slow body"]
        )))  # fmt: skip
    for n in range(args.slow_header):
        threads.append(threading.Thread(target=trickle, args=(
            target, slow_header_opening(target), f"X-Slow-{n}: x\r\n".encode(), stop,
            tallies["slow header"],
        )))  # fmt: skip
    for thread in threads:
        thread.start()
    time.sleep(TRICKLE_SECONDS)  # the slow clients hold their connections first
    normal = [
        threading.Thread(target=reader, args=(target, paths, traffic, stop, n))
        for n in range(args.readers)
    ] + [
        threading.Thread(target=reporter, args=(target, store, traffic, stop, n))
        for n in range(args.reporters)
    ]
    for thread in normal:
        thread.start()
    stop.wait(args.seconds)
    threads[0].join(timeout=args.seconds)  # the slow upload, if it is still going
    stop.set()
    for thread in threads + normal:
        thread.join()
    return traffic, tallies, upload


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 150, 10, 1800, "how long traffic goes on")
    harness.add_range_option(parser, "--slow-body", 20, 0, 500, "slow-body clients")
    harness.add_range_option(parser, "--slow-header", 20, 0, 500, "slow-header clients")
    harness.add_range_option(parser, "--readers", 4, 0, 64, "readers of public pages")
    harness.add_range_option(parser, "--reporters", 2, 0, 64, "reporters")
    parser.add_argument("--no-proxy", action="store_true", help="clients straight to gunicorn")
    parser.add_argument("--worker-class", help="gunicorn's, instead of gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="gunicorn's, instead of gunicorn.conf.py's")
    parser.add_argument("--app", default=harness.PORTAL_APP, help="the application gunicorn runs")
    args = parser.parse_args()
    options = []
    if args.worker_class:
        options += ["--worker-class", args.worker_class]
    if args.threads:
        options += ["--threads", str(args.threads)]
    server = " ".join(options) or "gunicorn.conf.py's workers"
    if not args.no_proxy:
        _proxy.ensure_nginx()

    with (
        _common.workspace("portal-drill-slow-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        port, env = _common.prepared_portal(workdir, cluster)
        log = workdir / "gunicorn.log"
        store = harness.CaptchaStore(cluster.url)
        with harness.serving(port, env, app=args.app, log=log, options=options):
            if args.no_proxy:
                target = Target(f"http://127.0.0.1:{port}")
                traffic, tallies, upload = run(args, target, store)
                proxy_log = None
            else:
                with _proxy.serving_proxy(port) as proxy:
                    target = Target(proxy.base, proxy.certificate)
                    traffic, tallies, upload = run(args, target, store)
                    proxy.stop()
                    proxy_log = proxy.log.read_text(errors="replace")
        numbers, photos = stored(cluster.url)
        timeouts = log.read_text(errors="replace").count("WORKER TIMEOUT")

    return report(args, server, traffic, tallies, upload, numbers, photos, timeouts, proxy_log)


def report(args, server, traffic, tallies, upload, numbers, photos, timeouts, proxy_log):
    path = "gunicorn directly" if args.no_proxy else "nginx (deploy/nginx/nginx.conf)"
    print(
        f"\nSlow-client drill: {args.slow_body} slow-body and {args.slow_header} slow-header "
        f"clients, {args.readers} readers, {args.reporters} reporters, {args.seconds} s; "
        f"{path} -> gunicorn ({server}, 2 workers), PostgreSQL, 127.0.0.1"
    )
    everything = []
    for group in ("reader", "reporter"):
        latencies = traffic.latencies[group]
        everything += latencies
        p50, p99 = harness.percentiles(latencies)
        errors = sum(traffic.errors[group].values())
        print(
            f"  {group + 's':10} {len(latencies):6} requests  p50 {p50:7.0f} ms  "
            f"p99 {p99:7.0f} ms  max {max(latencies, default=0) * 1000:7.0f} ms  "
            f"errors {errors} {dict(traffic.errors[group]) or ''}"
        )
    p50, p99 = harness.percentiles(everything)
    errors = sum(sum(counter.values()) for counter in traffic.errors.values())
    print(
        f"  {'all normal':10} {len(everything):6} requests  p50 {p50:7.0f} ms  p99 {p99:7.0f} ms"
    )
    for name, tally in tallies.items():
        print(
            f"  {name:11} connections {tally.connections:5}  answers {dict(tally.answers) or 0}"
            f"  closed without an answer {tally.dropped}"
        )
    print(
        f"  reports     sent {traffic.reports_sent}, receipts {len(traffic.receipts)}, "
        f"stored {len(numbers) - bool(upload.get('receipt'))} (+ the slow line's)"
    )
    seconds = upload.get("seconds")
    print(
        f"  slow line   {upload.get('bytes', 0) / 1e6:.2f} MB at {UPLOAD_BYTES_PER_SECOND // 1024}"
        f" KB/s: status {upload.get('status')}, receipt {upload.get('receipt')}, "
        f"{f'{seconds:.0f} s' if seconds else ''} {upload.get('error', '')}".rstrip()
    )
    print(f"  gunicorn worker timeouts {timeouts}")

    verdict = _common.Verdict("Slow-client drill")
    verdict.check(f"normal traffic p99 under {P99_BUDGET * 1000:.0f} ms", p99 < P99_BUDGET * 1000)
    verdict.check("no error in the normal traffic", everything and not errors)
    verdict.check(
        "every report sent got its receipt",
        traffic.reports_sent and len(traffic.receipts) == traffic.reports_sent,
    )
    slow_line = upload.get("receipt")
    verdict.check(
        "every receipt's clue stored, once",
        sorted(numbers) == sorted([*traffic.receipts, *([slow_line] if slow_line else [])]),
    )
    verdict.check(
        "the 2 MB photo at 20 KB/s got its receipt, its clue stored with the photo",
        slow_line and slow_line in numbers and photos == 1,
    )
    if proxy_log is not None:
        verdict.check("no client address in the proxy's log", "127.0.0.1" not in proxy_log)
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
