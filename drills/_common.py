"""Pieces only the operational drills share: a private PostgreSQL cluster with the portal
prepared on it, the task worker as a child process, a webhook's transfer, signature and
receiver, an SMTP sink, what the evidence storage holds, and the PASS/FAIL verdict. What the
benchmarks use too (the production environment, gunicorn, a reporter's browser) is
benchmarks/harness.py.

Every drill runs against its own PostgreSQL cluster (initdb in a temporary folder, its own port
on 127.0.0.1), never the machine's shared server, and removes it when it ends. A drill puts the
repository root on the path before importing this module (see harness.py).
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from benchmarks import harness

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


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
        self.port = harness.free_port()
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


@contextmanager
def running_cluster(workdir):
    """A started Cluster holding the portal's (empty) database, removed however the block
    ends."""
    cluster = Cluster(workdir)
    cluster.start()
    try:
        cluster.create_database()
        yield cluster
    finally:
        cluster.close()


def prepared_portal(workdir, cluster, **extra):
    """The portal on the cluster's database, migrated and with the demo content, in
    production settings with the spam limits raised (every drill request comes from 127.0.0.1
    the moment its form is served); returns (its port, its environment). Unless `extra` says
    otherwise (MailSink.env()), its mail is written to the worker's stdout."""
    port = harness.free_port()
    settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        **harness.RAISED_SPAM_LIMITS,
        **extra,
    }
    env = harness.production_env(workdir, cluster.url, port, **settings)
    harness.prepare_portal(env)
    return port, env


@contextmanager
def served_portal(workdir, cluster, log=None):
    """prepared_portal() under gunicorn for the duration of a `with` block; yields its base
    address. gunicorn's error log is appended to the file `log` if given."""
    port, env = prepared_portal(workdir, cluster)
    with harness.serving(port, env, log=log):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def workspace(prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def clues_without_files(conn, text_prefix):
    """This drill's clues (their text starts with `text_prefix`) with no evidence row."""
    return conn.execute(
        "SELECT count(*) FROM reporting_clue c WHERE c.what_happened LIKE %s "
        "AND NOT EXISTS (SELECT 1 FROM reporting_evidence e WHERE e.clue_id = c.id)",
        (text_prefix + "%",),
    ).fetchone()[0]


def evidence_names(conn):
    """Every file name the evidence rows point at (the stored file and its original)."""
    return {
        name
        for pair in conn.execute("SELECT file, original_file FROM reporting_evidence")
        for name in pair
        if name
    }


def evidence_on_disk(private_root):
    """The files in the evidence storage, as names relative to `private_root`."""
    folder = Path(private_root) / "evidence"
    if not folder.exists():
        return set()
    return {str(path.relative_to(private_root)) for path in folder.rglob("*") if path.is_file()}


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
        [harness.PYTHON, "manage.py", "run_worker"],
        cwd=harness.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def django_in_process(env):
    """Django in the drill's own process, with the portal's settings, to set up and check."""
    os.environ.update(env)
    os.chdir(harness.ROOT)
    import django

    django.setup()


WEBHOOK_SECRET = "drill-webhook-secret-0123456789"


def transfer_with_webhook(webhook_url):
    """A fresh clue, screened in Hebei and transferred to Tangshan, whose system is at
    webhook_url; the supervisors above Tangshan have email addresses (the demo's)."""
    from django.contrib.auth import get_user_model

    from reporting.factories import ClueFactory
    from reporting.models import Clue, Unit

    intake = get_user_model().objects.get(username="intake-hebei")
    tangshan = Unit.objects.get(code="r130200")
    tangshan.webhook_url = webhook_url
    tangshan.webhook_secret = WEBHOOK_SECRET
    tangshan.save()
    return ClueFactory(
        what_happened="演练线索",
        submission_token=f"drill-{time.time()}",
        status=Clue.Status.TRANSFERRED,
        to_unit=tangshan,
        review={"intake": intake},
    )


def valid_signature(headers, body):
    import hashlib
    import hmac

    timestamp = headers.get("X-Portal-Timestamp", "")
    expected = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers.get("X-Portal-Signature", ""), f"sha256={expected}")


class WebhookReceiver:
    """A unit's system on 127.0.0.1, on `port` (one free if 0): each POST's headers and body go
    to on_post(), which a drill's receiver writes to count what it needs, then the answer is
    200. A sender gone by then (a worker killed while it waited) changes nothing."""

    def __init__(self, port=0):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.on_post(self.headers, body)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        # HTTPServer rebinds a port still closing: a receiver stopped and started again on
        # the same port (webhook_down.py) comes back at once.
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on_post(self, headers, body):
        raise NotImplementedError

    def close(self):
        self.server.shutdown()
        self.server.server_close()


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
