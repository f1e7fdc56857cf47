"""What the benchmarks and the drills share: the portal with production settings as a child
process (its environment, database and gunicorn), and a person's browser sending a report.

Every script in benchmarks/ and drills/ runs as `python benchmarks/x.py` or
`python drills/y.py`, so Python puts only the script's own folder on the path. Each one puts
the repository root there first, which also makes the portal's apps importable, and then
imports this module under the one name both folders use:

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    from benchmarks import harness
"""

import argparse
import io
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests
from PIL import Image
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432"
PYTHON = sys.executable
PORTAL_APP = "portal.wsgi:application"

# Only a start that fails waits this long: a healthy one returns as soon as it answers. So the
# deadline is set for the slowest healthy start (workers importing Wagtail on a shared, busy
# two-core machine; a worker over a kept database of a million clues) rather than a usual one,
# since failing a slow but healthy start throws away a whole run.
READY_SECONDS = 120
# gunicorn.conf.py gives workers 30 s (graceful_timeout) to finish their requests on SIGTERM;
# the master needs a moment more, and only then is the process killed.
STOP_SECONDS = 60

# Every load-test request comes from 127.0.0.1 the moment its form is served, which the
# form's spam checks refuse; load tests raise them explicitly (docs/security.md), so they
# measure storing reports, not refusing them.
RAISED_SPAM_LIMITS = {"REPORT_MIN_SECONDS": "0", "REPORT_RATE_LIMIT": "100000000"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir, database_url, port, **extra):
    """Production settings, as a deployer sets them, for a portal on 127.0.0.1:`port` keeping
    its files in `workdir`; `extra` adds or overrides settings."""
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
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(env, *command, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare_portal(env):
    """A fresh database made ready to serve: migrated, assets collected, demo content."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo_content", "--allow-production")


def recreate_database(name):
    """`name` dropped and created again, empty, on the local PostgreSQL; returns its URL."""
    with psycopg.connect(f"{LOCAL_POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{LOCAL_POSTGRES}/{name}"


def on_new_port(env):
    """(port, env) for another server of the same portal: a port free now, and the portal's
    address on it."""
    port = free_port()
    return port, {**env, "PORTAL_BASE_URL": f"http://127.0.0.1:{port}"}


def fresh_portal(workdir, database, sqlite=False, **settings):
    """The portal prepared on a new database: `database` recreated on the local PostgreSQL, or
    with `sqlite` a file of that name in `workdir`; returns (port, environment, database URL)
    for start_gunicorn()."""
    port = free_port()
    if sqlite:
        database_url = f"sqlite:///{workdir / database}.sqlite3"
    else:
        database_url = recreate_database(database)
    env = production_env(workdir, database_url, port, **settings)
    prepare_portal(env)
    return port, env, database_url


def start_gunicorn(port, env, *, app=PORTAL_APP, workers=2, log=None, ready_path="/readyz/",
                   options=()):  # fmt: skip
    """gunicorn as deployed (gunicorn.conf.py), returned once `ready_path` answers 200; its
    error log (the app's logging) is appended to the file `log` if given."""
    # A port chosen minutes ago (before migrations and the demo content) may have been taken
    # since by another server on this machine, which would then answer the readiness checks.
    with socket.socket() as probe:
        # As gunicorn binds: connections of an earlier server waiting to close do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"port {port} was taken by another process; start again") from None
    command = [
        PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(workers),
        *options, "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", app,
    ]  # fmt: skip
    with open(log or "/dev/null", "ab") as stderr:  # the child keeps its own copy
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    deadline = time.time() + READY_SECONDS
    last = "no answer"
    while time.time() < deadline and server.poll() is None:
        try:
            # A request waits in the listen queue until a worker is up: no need to hurry it.
            response = requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=30)
            if response.status_code == 200:
                return server
            last = f"{response.status_code} {response.text[:300]}"
        except requests.RequestException:  # not up yet
            pass
        time.sleep(0.3)
    if server.poll() is not None:
        last = f"gunicorn exited with status {server.returncode}"
    server.kill()
    server.wait()
    tail = Path(log).read_bytes()[-2000:].decode(errors="replace") if log else ""
    message = f"gunicorn ({app}) did not become ready (last answer: {last})\n{tail}"
    raise SystemExit(message.rstrip())


def stop_process(process, timeout=STOP_SECONDS):
    """SIGTERM, as a deployment stops it; SIGKILL if it outstays `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(port, env, **options):
    """start_gunicorn() for the duration of a `with` block; stopped however it ends."""
    server = start_gunicorn(port, env, **options)
    try:
        yield server
    finally:
        stop_process(server)


def start_moto(credentials, buckets):
    """moto's S3 server on a free port of 127.0.0.1 with `buckets` ({setting: name}) made;
    returns (its process, the S3_* settings that point the portal at it)."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        server.kill()
        raise SystemExit("moto_server did not start")
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=credentials["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["S3_SECRET_ACCESS_KEY"],
    )
    for bucket in buckets.values():
        client.create_bucket(Bucket=bucket)
    settings = {"S3_ENDPOINT_URL": url, "S3_REGION_NAME": "us-east-1", **credentials, **buckets}
    return server, settings


def random_jpeg(seed, size, quality):
    """A JPEG of random pixels: incompressible, so its size is what the form receives."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def small_photo(seed):
    """A small JPEG (about 10 kB), different for every seed."""
    return random_jpeg(seed, (64, 48), 90)


def photo_2mb():
    """A phone photo's size: about 2 MB."""
    return random_jpeg(42, (1600, 1200), 92)


class CaptchaStore:
    """Reads captcha answers straight from the store, as a person reads the picture: one
    connection per thread, opened again after the database went away (SQLite or PostgreSQL).
    A key with no answer gets an empty one, which the form refuses like a wrong one."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.local = threading.local()

    def connect(self):
        if self.database_url.startswith("sqlite"):
            conn = sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
            return conn, "SELECT response FROM captcha_captchastore WHERE hashkey = ?"
        conn = psycopg.connect(self.database_url, autocommit=True, connect_timeout=3)
        return conn, "SELECT response FROM captcha_captchastore WHERE hashkey = %s"

    def answer(self, key):
        # A person waits for the picture while the database is away, then reads it.
        for _attempt in range(60):
            try:
                if getattr(self.local, "conn", None) is None:
                    self.local.conn, self.local.sql = self.connect()
                row = self.local.conn.execute(self.local.sql, (key,)).fetchone()
                return row[0] if row else ""
            except (psycopg.OperationalError, sqlite3.OperationalError):
                self.local.conn = None
                time.sleep(0.5)
        raise ConnectionError("captcha store unreachable")


def field(name, page):
    """The value of the input `name` in the page, or None."""
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return match.group(1) if match else None


class Browser:
    """One reporter's browser behind the TLS proxy: production cookies are Secure, so they are
    sent by hand with the proxy's X-Forwarded-Proto (gunicorn trusts it from 127.0.0.1)."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def headers(self):
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        return {
            "X-Forwarded-Proto": "https",
            "Referer": self.base.replace("http://", "https://") + "/report/",
            "Cookie": cookie,
        }

    def get(self, path, timeout=30, **kwargs):
        return self.session.get(
            f"{self.base}{path}", headers=self.headers(), timeout=timeout, **kwargs
        )

    def post(self, path, data, files=None, headers=None, timeout=60):
        """A POST not followed: the caller reads where it redirects."""
        return self.session.post(
            f"{self.base}{path}",
            data=data,
            files=files,
            headers={**self.headers(), **(headers or {})},
            allow_redirects=False,
            timeout=timeout,
        )


# The rest of a short anonymous report: a time and a shield unknown, one person named.
PLAIN_ANSWERS = {
    "when": "unknown",
    "officials_shield": "unknown",
    "identity": "anonymous",
    "agree": "on",
    "party-TOTAL_FORMS": "1",
    "party-INITIAL_FORMS": "0",
    "party-0-name": "某人",
}


def report_data(form, store, text, **fields):
    """The report form filled in as a person does, anonymously unless `fields` say otherwise,
    with the captcha answered."""
    return {
        "csrfmiddlewaretoken": field("csrfmiddlewaretoken", form),
        "category": re.search(r'name="category" value="(\d+)"', form).group(1),
        "what_happened": text,
        **PLAIN_ANSWERS,
        "captcha_0": field("captcha_0", form),
        "captcha_1": store.answer(field("captcha_0", form)),
        "submission_token": field("submission_token", form),
        "issued": field("issued", form),
        **fields,
    }


TRACKING = re.compile(r'id="tracking-number"[^>]*>([\d ]+)<')


def receipt_number(page):
    """The tracking number a receipt page shows, or None."""
    match = TRACKING.search(page)
    return match.group(1).replace(" ", "") if match else None


def database_name(value):
    """An argparse type: a PostgreSQL database name the benchmark may drop and create."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,54}", value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a database name: lower-case letters, digits and _, at most 55"
        )
    return value


def add_database_option(parser, default, anchor=False):
    """--database: the PostgreSQL database the benchmark drops and creates (database_name);
    with `anchor`, the bare form's is that name with _anchor."""
    also = "; the bare form's is this name with _anchor" if anchor else ""
    parser.add_argument(
        "--database",
        type=database_name,
        default=default,
        help=f"PostgreSQL database to drop and create (default {default}{also})",
    )


def add_range_option(parser, flag, default, low, high, help):
    """A whole-number option from `low` to `high`, its range and default shown in --help."""

    def whole_number(text):
        # Checked here rather than with choices=range(...): a refused value would be
        # answered with every number of the range listed, tens of thousands of them.
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} to {high}")
        return value

    parser.add_argument(
        flag,
        type=whole_number,
        default=default,
        metavar=f"{low}..{high}",
        help=f"{help} (default {default})",
    )


def percentiles(latencies):
    """p50 and p99 in ms of latencies in seconds (NaN when there are none)."""
    if not latencies:
        return float("nan"), float("nan")
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000


def start_clients(count, client):
    """`count` threads running client(number), number 0 to count - 1, started; returns them."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def run_clients(count, client):
    """start_clients() until every client returns; returns the wall time in seconds."""
    began = time.time()
    for thread in start_clients(count, client):
        thread.join()
    return time.time() - began


class Tickets:
    """Numbers 0 to total - 1, each handed to one client thread, then None."""

    def __init__(self, total):
        self.numbers = iter(range(total))
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            return next(self.numbers, None)
