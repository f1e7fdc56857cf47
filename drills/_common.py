"""Pieces the operational drills share: a private PostgreSQL cluster, the portal's production
environment, gunicorn and the task worker as child processes, and one report submission as a
person's browser sends it.

Every drill runs against its own PostgreSQL cluster (initdb in a temporary folder, its own port
on 127.0.0.1), never the machine's shared server, and removes it when it ends.
"""

import contextlib
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_submissions import free_port  # noqa: E402 (after the path is set)

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable


def as_postgres(command):
    """PostgreSQL refuses to run as root; drop to the postgres account when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    """A throwaway PostgreSQL cluster owned by this drill."""

    def __init__(self, workdir):
        self.dir = Path(workdir) / "pg"
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-instructions",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def pg_ctl(self, *args):
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
            " -c max_connections=200"
        )
        self.pg_ctl("-w", "-l", str(self.log), "-o", options, "start")

    def stop(self, mode="fast"):
        self.pg_ctl("-w", "-m", mode, "stop")

    def create_database(self):
        admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE portal")

    def close(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")


def portal_env(workdir, database_url, web_port, **extra):
    """Production settings, as a deployer sets them, with the spam limits raised explicitly:
    every drill request comes from 127.0.0.1 the moment its form is served."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "drill-only-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{web_port}",
        "SECURE_SSL_REDIRECT": "false",
        "REPORTER_ENCRYPTION_KEYS": "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1zZWNyZXQtMDE=",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "ERROR",
        # Unless a drill listens for mail (MailSink), it is written to the worker's stdout.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "REPORT_MIN_SECONDS": "0",
        "REPORT_RATE_LIMIT": "100000000",
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
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo_content", "--allow-production")


def start_gunicorn(port, env, workers=2, log=None):
    """gunicorn as deployed; its error log (the portal's logging) goes to `log` if given."""
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "portal.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab") if log else subprocess.DEVNULL,  # noqa: SIM115 (the child keeps it)
    )
    if not wait_ready(f"http://127.0.0.1:{port}", 60):
        server.kill()
        raise SystemExit("gunicorn did not become ready")
    return server


def wait_ready(base, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/readyz/", timeout=2).status_code == 200:
                return True
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    return False


def stop_process(process, timeout=30):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def workspace(prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def small_photo(seed):
    """A small JPEG (about 10 kB), different for every report."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (64, 48), rng.randbytes(64 * 48 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


class CaptchaStore:
    """Reads captcha answers straight from the store, as a person reads the picture; one
    connection per thread, opened again after the database went away."""

    def __init__(self, database_url):
        self.database_url = database_url
        self.local = threading.local()

    def answer(self, key):
        # A person waits for the picture while the database is away, then reads it.
        for _attempt in range(60):
            try:
                if getattr(self.local, "conn", None) is None:
                    self.local.conn = psycopg.connect(
                        self.database_url, autocommit=True, connect_timeout=3
                    )
                row = self.local.conn.execute(
                    "SELECT response FROM captcha_captchastore WHERE hashkey = %s", (key,)
                ).fetchone()
                return row[0] if row else "?"
            except psycopg.OperationalError:
                self.local.conn = None
                time.sleep(0.5)
        raise ConnectionError("captcha store unreachable")


def field(name, page):
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

    def get(self, path, **kwargs):
        return self.session.get(f"{self.base}{path}", headers=self.headers(), timeout=30, **kwargs)

    def post(self, path, data, files=None):
        return self.session.post(
            f"{self.base}{path}",
            data=data,
            files=files,
            headers=self.headers(),
            allow_redirects=False,
            timeout=60,
        )


def report_data(form, store, text):
    return {
        "csrfmiddlewaretoken": field("csrfmiddlewaretoken", form),
        "category": re.search(r'name="category" value="(\d+)"', form).group(1),
        "what_happened": text,
        "when": "unknown",
        "officials_shield": "unknown",
        "identity": "anonymous",
        "agree": "on",
        "party-TOTAL_FORMS": "1",
        "party-INITIAL_FORMS": "0",
        "party-0-name": "某人",
        "captcha_0": field("captcha_0", form),
        "captcha_1": store.answer(field("captcha_0", form)),
        "submission_token": field("submission_token", form),
        "issued": field("issued", form),
    }


TRACKING = re.compile(r'id="tracking-number"[^>]*>([\d ]+)<')


def receipt_number(page):
    match = TRACKING.search(page)
    return match.group(1).replace(" ", "") if match else None


class Verdict:
    """Collects named checks and prints them with the overall PASS/FAIL."""

    def __init__(self, title):
        self.title = title
        self.checks = []

    def check(self, label, ok):
        self.checks.append((label, bool(ok)))
        return ok

    def report(self):
        print()
        for label, ok in self.checks:
            print(f"  [{'ok' if ok else 'FAILED'}] {label}")
        passed = all(ok for _label, ok in self.checks)
        print(f"\n{self.title}: {'PASS' if passed else 'FAIL'}")
        return 0 if passed else 1


def start_worker(env):
    """The task worker as deployed: `run_worker`, which also queues the periodic checks."""
    return subprocess.Popen(
        [PYTHON, "manage.py", "run_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def django_in_process(env):
    """Django in the drill's own process, with the portal's settings, to set up and check."""
    os.environ.update(env)
    os.chdir(ROOT)
    import django

    django.setup()


WEBHOOK_SECRET = "drill-webhook-secret-0123456789"


def transfer_with_webhook(webhook_url):
    """A fresh clue, screened in Hebei and transferred to Tangshan, whose system is at
    webhook_url; the supervisors above Tangshan have email addresses (the demo's)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reporting.lifecycle import review as workflow
    from reporting.lifecycle import submission
    from reporting.models import Category, Region, Transfer, Unit

    intake = get_user_model().objects.get(username="intake-hebei")
    tangshan = Unit.objects.get(code="r130200")
    tangshan.webhook_url = webhook_url
    tangshan.webhook_secret = WEBHOOK_SECRET
    tangshan.save()
    clue, _key = submission.submit_clue(
        details={
            "category": Category.objects.get(slug="gang-crime"),
            "region": Region.objects.get(code="130203"),
            "what_happened": "演练线索",
            "when": "unknown",
            "where": "",
            "officials_shield": "unknown",
        },
        parties=[],
        reporter=None,
        submission_token=f"drill-{time.time()}",
        entry_code="",
        language="zh-hans",
    )
    workflow.accept(clue, intake)
    workflow.transfer(
        clue,
        intake,
        to_unit=tangshan,
        mode=Transfer.Mode.NORMAL,
        deadline=timezone.now() + timedelta(days=30),
    )
    return clue


def valid_signature(headers, body):
    import hashlib
    import hmac

    timestamp = headers.get("X-Portal-Timestamp", "")
    expected = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers.get("X-Portal-Signature", ""), f"sha256={expected}")


def wait_for_worker(seconds=90):
    """Until the task worker has run a harmless task: it is up and polling."""
    from reporting.jobs import mail

    result = mail.send_mail_from_outbox.enqueue(0)  # no such message: returns at once
    deadline = time.time() + seconds
    while time.time() < deadline:
        result.refresh()
        if result.is_finished:
            return True
        time.sleep(0.2)
    raise SystemExit("the task worker did not start")


class MailSink:
    """A minimal SMTP server on 127.0.0.1 that keeps every message: what the portal's mail
    server would have been handed."""

    def __init__(self):
        import email
        import email.policy
        import socketserver

        self.messages = []  # (recipients, email.message.EmailMessage)
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                recipients = []
                self.reply("220 drill ESMTP")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250 drill")
                    elif verb == b"MAIL":
                        recipients = []
                        self.reply("250 OK")
                    elif verb == b"RCPT":
                        recipients.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                        self.reply("250 OK")
                    elif verb == b"DATA":
                        self.reply("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        message = email.message_from_bytes(data, policy=email.policy.default)
                        sink.messages.append((recipients, message))
                        self.reply("250 OK")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()
