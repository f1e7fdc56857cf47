#!/usr/bin/env python
"""Restore drill: back up a loaded portal, destroy it, restore it on a fresh cluster.

    .venv/bin/python drills/restore.py [--reports 200] [--clients 4] [--storage local|s3]
                                       [--roles]

Starts its own PostgreSQL cluster and gunicorn (production settings) on 127.0.0.1, loads the
demo content, sends `--reports` reports with a photo through the real form and keeps each
receipt (tracking number and access key) as a reporter would. Then, with gunicorn stopped:
`backup_portal` (data and keys to separate files, each under its own key); the cluster and
the storages are deleted; a new cluster and empty storages are made; the keys are read back
from the keys file alone (`python -m portal.backup open-keys`); `restore_portal`; gunicorn
again. PASS: rows per table, every clue and every ledger entry (content hashes computed by
PostgreSQL), every stored file by SHA-256 (and each evidence file against the hash its row
recorded when it was received), and a status lookup through the status page with every kept
receipt, all as before the disaster.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness
from portal.backup.crypto import new_key

ACCESS_KEY = re.compile(r'id="access-key"[^>]*>([^<]+)<')
TEXT_PREFIX = "恢复演练"
# Content hashes of whole tables, in PostgreSQL: every column of every row, in id order.
TABLE_HASH = sql.SQL(
    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {} t"
)
CHECKED_TABLES = ("reporting_clue", "reporting_ledgerentry", "reporting_evidence")

# Runs under the portal's settings in a child process: what the storages hold, by SHA-256,
# read through the storage API (local folders or buckets alike).
LIST_FILES = """
import hashlib, json, django
django.setup()
from django.core.files.storage import storages
from portal.backup.archive import STORAGES, stored_names
found = {}
for alias in STORAGES:
    storage = storages[alias]
    found[f"backend:{alias}"] = type(storage).__name__
    for name in stored_names(storage):
        with storage.open(name, "rb") as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        found[f"{alias}:{name}"] = digest.hexdigest()
print(json.dumps(found))
"""


MOTO_SERVER = str(Path(harness.PYTHON).parent / "moto_server")
S3_SECRET = secrets.token_hex(16)  # moto takes any


class ObjectStore:
    """moto's S3 server on 127.0.0.1 with the two buckets, empty: the object store's stand-in.
    Its objects live in its memory, so stopping it loses them all."""

    BUCKETS = {"S3_MEDIA_BUCKET": "portal-media", "S3_PRIVATE_BUCKET": "portal-private"}

    def __init__(self):
        import boto3

        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = subprocess.Popen(
            [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="drill",
            aws_secret_access_key=S3_SECRET,
        )
        for _attempt in range(100):
            try:
                for bucket in self.BUCKETS.values():
                    client.create_bucket(Bucket=bucket)
                break
            except Exception:  # not listening yet
                time.sleep(0.2)

    def env(self):
        return {
            "S3_ENDPOINT_URL": self.url,
            "S3_REGION_NAME": "us-east-1",
            "S3_ACCESS_KEY_ID": "drill",
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            **self.BUCKETS,
        }

    def close(self):
        harness.stop_process(self.server)


ROLE_PASSWORDS = {"owner": secrets.token_hex(12), "app": secrets.token_hex(12)}


def database_urls(cluster, roles):
    """(the owner's address, the application's) for the cluster's database: with `roles`, the
    two roles deploy/postgres/init-roles.sh makes, else PostgreSQL's superuser for both."""
    if not roles:
        return cluster.url, cluster.url
    subprocess.run(
        [str(harness.ROOT / "deploy" / "postgres" / "init-roles.sh")],
        env={
            **os.environ,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(cluster.port),
            "PGUSER": "postgres",
            "PORTAL_DB_NAME": "portal",
            "PORTAL_OWNER_PASSWORD": ROLE_PASSWORDS["owner"],
            "PORTAL_APP_PASSWORD": ROLE_PASSWORDS["app"],
        },
        check=True,
        capture_output=True,
    )
    where = f"127.0.0.1:{cluster.port}/portal"
    return (
        f"postgres://portal_owner:{ROLE_PASSWORDS['owner']}@{where}",
        f"postgres://portal_app:{ROLE_PASSWORDS['app']}@{where}",
    )


def send_reports(base, store, reports, clients):
    """Reports with a photo through the form; returns the receipts shown and the errors."""
    receipts, errors = [], []
    lock = threading.Lock()
    tickets = harness.Tickets(reports)

    def client(_number):
        browser = harness.Browser(base)
        while (index := tickets.next()) is not None:
            try:
                form = browser.get("/report/")
                text = f"{TEXT_PREFIX} {index} " + "内容。" * 20
                data = harness.report_data(form.text, store, text)
                photo = ("photo.jpg", harness.small_photo(index), "image/jpeg")
                response = browser.post("/report/", data, files={"evidence": photo})
                page = browser.get(response.headers.get("Location", "/report/receipt/"))
                number = harness.receipt_number(page.text)
                key = ACCESS_KEY.search(page.text)
                if not (number and key):
                    raise RuntimeError(f"no receipt (answers {response.status_code})")
                with lock:
                    receipts.append((number, key.group(1).strip()))
            except Exception as error:  # counted; the drill reports, it does not stop
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")

    harness.run_clients(clients, client)
    return receipts, errors


def look_up(base, receipts):
    """Each receipt through the status page, as its reporter checks it; returns the numbers
    whose page did not come."""
    failed = []
    for number, key in receipts:
        browser = harness.Browser(base)
        form = browser.get("/report/status/")
        answer = browser.post(
            "/report/status/",
            {
                "csrfmiddlewaretoken": harness.field("csrfmiddlewaretoken", form.text),
                "tracking_number": number,
                "access_key": key,
            },
        )
        page = browser.get("/report/status/") if answer.status_code == 302 else answer
        shown = re.sub(r"\D", "", "".join(re.findall(r"[\d ]{10,}", page.text)))
        if page.status_code != 200 or 'id="public-status"' not in page.text or number not in shown:
            failed.append(number)
    return failed


def database_state(url):
    """Rows per table, and content hashes of the clue, ledger and evidence tables."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
        hashes = {
            table: tuple(conn.execute(TABLE_HASH.format(sql.Identifier(table))).fetchone())
            for table in CHECKED_TABLES
        }
        recorded = dict(
            conn.execute("SELECT file, sha256 FROM reporting_evidence WHERE file <> ''").fetchall()
        )
    return counts, hashes, recorded


def stored_files(env):
    result = subprocess.run(
        [harness.PYTHON, "-c", LIST_FILES],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def timed_manage(env, *command):
    started = time.perf_counter()
    result = subprocess.run(
        [harness.PYTHON, "manage.py", *command],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {command[0]} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - started, result.stdout


def folder_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def secrets_only_sealed(backup_dir, keys_file, secrets):
    """No secret in clear in any file of the backup or in the keys file."""
    paths = [*(p for p in backup_dir.rglob("*") if p.is_file()), keys_file]
    return keys_file.is_file() and not any(
        secret.encode() in path.read_bytes() for path in paths for secret in secrets if secret
    )


def megabytes(size):
    return f"{size / 1e6:8.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--reports", 200, 1, 100_000, "reports with a photo")
    harness.add_range_option(parser, "--clients", 4, 1, 50, "reporters sending at once")
    parser.add_argument(
        "--storage",
        choices=("local", "s3"),
        default="local",
        help="local folders, or buckets in an S3 server (moto's) on 127.0.0.1",
    )
    parser.add_argument(
        "--roles",
        action="store_true",
        help="the two database roles of deploy/postgres/init-roles.sh: backup as the "
        "application role, restore and migrations as the owner",
    )
    args = parser.parse_args()
    keys = {
        "BACKUP_ENCRYPTION_KEY": new_key(),
        "BACKUP_KEYS_ENCRYPTION_KEY": new_key(),
    }
    verdict = _common.Verdict("Restore drill")

    with _common.workspace("portal-drill-restore-") as workdir:
        if os.geteuid() == 0:  # the clusters' folders are inside it, run as postgres
            shutil.chown(workdir, "postgres")
        first = workdir / "first"
        first.mkdir()
        cluster = _common.Cluster(first)
        cluster.start()
        try:
            cluster.create_database()
            owner_url, app_url = database_urls(cluster, args.roles)
            store = ObjectStore() if args.storage == "s3" else None
            port = harness.free_port()
            settings = {
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                **harness.RAISED_SPAM_LIMITS,
                **(store.env() if store else {}),
            }
            # Migrations as the owner, everything else as the application role, as deployed.
            owner_env = harness.production_env(first, owner_url, port, **settings)
            harness.prepare_portal(owner_env)
            env = {**owner_env, "DATABASE_URL": app_url}
            began = time.perf_counter()
            with harness.serving(port, env):
                base = f"http://127.0.0.1:{port}"
                receipts, errors = send_reports(
                    base, harness.CaptchaStore(cluster.url), args.reports, args.clients
                )
            load_seconds = time.perf_counter() - began
            before = database_state(cluster.url)
            files_before = stored_files(env)
            backup_dir, keys_file = workdir / "backup", workdir / "keys" / "keys.bin"
            backup_seconds, backup_log = timed_manage(
                {**env, **keys},
                "backup_portal",
                "--output",
                str(backup_dir),
                "--keys-output",
                str(keys_file),
            )
            backup_size = folder_size(backup_dir)
            dump_size = (backup_dir / "database.bin").stat().st_size
            secrets_apart = secrets_only_sealed(
                backup_dir,
                keys_file,
                [
                    env["SECRET_KEY"],
                    env["REPORTER_ENCRYPTION_KEYS"],
                    env.get("S3_SECRET_ACCESS_KEY"),
                ],
            )
        finally:
            cluster.close()
            if store:
                store.close()
        # The disaster: the database cluster and every stored file are gone.
        shutil.rmtree(cluster.dir)
        for folder in ("media", "private"):
            shutil.rmtree(first / folder, ignore_errors=True)

        second = workdir / "second"
        second.mkdir()
        fresh = _common.Cluster(second)
        fresh.start()
        store = ObjectStore() if args.storage == "s3" else None
        try:
            fresh.create_database()
            owner_url, app_url = database_urls(fresh, args.roles)
            opened = subprocess.run(
                [harness.PYTHON, "-m", "portal.backup", "open-keys", str(keys_file)],
                cwd=harness.ROOT,
                env={**env, **keys},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            restored_keys = dict(
                line.split("=", 1) for line in opened.splitlines() if not line.startswith("#")
            )
            restored_keys = {name: value.strip("'") for name, value in restored_keys.items()}
            port = harness.free_port()
            # Only the keys file says what the keys are: the old environment's are dropped.
            base_env = {
                k: v for k, v in env.items() if k not in ("SECRET_KEY", "REPORTER_ENCRYPTION_KEYS")
            }
            new_env = {
                **base_env,
                **restored_keys,
                "DATABASE_URL": owner_url,
                "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
                "MEDIA_ROOT": str(second / "media"),
                "PRIVATE_MEDIA_ROOT": str(second / "private"),
                **(store.env() if store else {}),
            }
            restore_seconds, restore_log = timed_manage(
                {**new_env, **keys}, "restore_portal", "--input", str(backup_dir)
            )
            harness.manage(new_env, "migrate", "--noinput", "-v", "0")
            new_env["DATABASE_URL"] = app_url
            after = database_state(fresh.url)
            files_after = stored_files(new_env)
            with harness.serving(port, new_env):
                lookups_failed = look_up(f"http://127.0.0.1:{port}", receipts)
                # The same check with a wrong key must fail, or it proves nothing.
                number, key = receipts[0]
                wrong_refused = look_up(f"http://127.0.0.1:{port}", [(number, key[::-1])])
        finally:
            fresh.close()
            if store:
                store.close()

    counts_before, hashes_before, recorded = before
    counts_after, hashes_after, _recorded = after
    backends = {k: v for k, v in files_before.items() if k.startswith("backend:")}
    private_files = {k: v for k, v in files_before.items() if k.startswith("private:")}
    evidence_ok = all(files_after.get(f"private:{name}") == sha for name, sha in recorded.items())
    clues, ledger = hashes_before["reporting_clue"][0], hashes_before["reporting_ledgerentry"][0]
    roles = "owner and application roles" if args.roles else "superuser"
    print(f"\nRestore drill: {args.reports} reports, {args.clients} clients")
    print(f"  storage, database roles       {args.storage}, {roles}")
    print(f"  storage classes               {', '.join(sorted(set(backends.values())))}")
    print(f"  reports sent, receipts kept   {len(receipts):8} ({load_seconds:.0f} s)")
    print(f"  rows in the database          {sum(counts_before.values()):8}")
    print(f"  tables                        {len(counts_before):8}")
    print(f"  clues, ledger entries         {clues:8}, {ledger}")
    stored = len(files_before) - len(backends)
    print(f"  stored files                  {stored:8} ({len(private_files)} evidence)")
    print(f"  backup size                   {megabytes(backup_size)}")
    print(f"  of which the database         {megabytes(dump_size)}")
    print(f"  backup time                   {backup_seconds:8.1f} s")
    print(f"  restore time                  {restore_seconds:8.1f} s")
    print("  backup_portal said:\n    " + backup_log.strip().replace("\n", "\n    "))
    print("  restore_portal said:\n    " + restore_log.strip().replace("\n", "\n    "))
    if errors:
        print(f"  reporting errors: {errors[:5]}")

    if args.storage == "s3":
        verdict.check(
            "both storages are S3 buckets (the settings read S3_*)",
            bool(backends) and all("S3" in name for name in backends.values()),
        )
    verdict.check(f"{args.reports} receipts kept", len(receipts) == args.reports and not errors)
    verdict.check("keys in their own file, no secret in clear in any file", secrets_apart)
    verdict.check("rows per table as before", counts_after == counts_before)
    verdict.check(
        "every clue as before (content hash)",
        hashes_after["reporting_clue"] == hashes_before["reporting_clue"],
    )
    verdict.check(
        "every ledger entry as before (count and content hash)",
        hashes_after["reporting_ledgerentry"] == hashes_before["reporting_ledgerentry"],
    )
    verdict.check(
        "every evidence row as before",
        hashes_after["reporting_evidence"] == hashes_before["reporting_evidence"],
    )
    verdict.check(
        f"every stored file by SHA-256 ({stored})",
        files_after == files_before and files_before,
    )
    verdict.check(
        f"every evidence file matches its row's SHA-256 ({len(recorded)})",
        evidence_ok and recorded,
    )
    verdict.check(
        f"status page unlocked with every kept receipt ({len(receipts)})",
        receipts and not lookups_failed,
    )
    verdict.check("a receipt with a wrong access key is refused", wrong_refused)
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
