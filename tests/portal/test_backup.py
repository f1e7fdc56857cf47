"""backup_portal and restore_portal: the sealed format on its own, then real round trips
through pg_dump and pg_restore on the machine's PostgreSQL (the test database, restored
into a database of its own), with evidence files in the private storage."""

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

import boto3
import psycopg
import pytest
import requests
from psycopg import sql

from portal.backup import archive, crypto
from reporting.factories import ClueFactory
from reporting.models import Clue, Evidence, LedgerEntry

KEY = crypto.new_key()
KEYS_KEY = crypto.new_key()
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="backups are made with pg_dump: set DATABASE_URL to PostgreSQL"
)


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", KEY)
    monkeypatch.setenv("BACKUP_KEYS_ENCRYPTION_KEY", KEYS_KEY)


# The sealed format ----------------------------------------------------------------------


def seal(data, name="part", key=KEY):
    return crypto.seal_bytes(crypto.parse_key(key, "key"), data, name)


def unseal(sealed, name="part", key=KEY):
    return crypto.open_bytes(crypto.parse_key(key, "key"), sealed, name)


def chunks_of(sealed):
    """The sealed stream's header and its chunks, each with its length prefix."""
    header, rest, chunks = sealed[: crypto.HEADER_SIZE], sealed[crypto.HEADER_SIZE :], []
    while rest:
        length = int.from_bytes(rest[:4], "big") & ~crypto.LAST
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, chunks


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK, crypto.CHUNK + 1, 2 * crypto.CHUNK + 7])
def test_sealed_streams_open_to_what_was_sealed(size):
    data = os.urandom(size)
    sealed = seal(data)
    assert size < 16 or data not in sealed  # a short run of bytes may occur by chance
    assert unseal(sealed) == data


def test_a_stream_is_never_read_whole():
    class CountingSource(io.BytesIO):
        largest = 0

        def read(self, size=-1):
            assert size != -1, "read to the end at once"
            data = super().read(size)
            CountingSource.largest = max(CountingSource.largest, len(data))
            return data

    data = os.urandom(3 * crypto.CHUNK)
    out = io.BytesIO()
    crypto.seal_stream(crypto.parse_key(KEY, "key"), CountingSource(data), out, "part")
    reader = crypto.OpenedReader(
        crypto.parse_key(KEY, "key"),
        CountingSource(out.getvalue()),
        "part",
        hashlib.sha256(data).hexdigest(),
    )
    assert reader.read() == data
    assert CountingSource.largest <= crypto.CHUNK + crypto.TAG


def test_another_key_is_named_as_such():
    with pytest.raises(crypto.BackupError, match="encrypted with another key"):
        unseal(seal(b"secret"), key=crypto.new_key())


def test_a_changed_byte_is_refused():
    sealed = bytearray(seal(b"x" * 5000))
    sealed[100] ^= 1
    with pytest.raises(crypto.BackupError, match="altered or damaged"):
        unseal(bytes(sealed))


def test_a_part_under_another_name_is_refused():
    with pytest.raises(crypto.BackupError, match="altered or damaged"):
        unseal(seal(b"evidence", name="files/private/0000001.bin"), "files/private/0000002.bin")


def test_dropped_reordered_and_cut_chunks_are_refused():
    header, chunks = chunks_of(seal(os.urandom(3 * crypto.CHUNK + 10)))
    assert len(chunks) == 4
    with pytest.raises(crypto.BackupError, match="truncated"):
        unseal(header + b"".join(chunks[:3]))  # cut at a chunk's end
    with pytest.raises(crypto.BackupError, match="truncated"):
        unseal(header + b"".join(chunks)[:-1])
    with pytest.raises(crypto.BackupError, match="altered or damaged"):
        unseal(header + chunks[1] + chunks[0] + chunks[2] + chunks[3])
    with pytest.raises(crypto.BackupError, match="altered or damaged"):
        unseal(header + chunks[0] + chunks[2] + chunks[3])
    # The "last" flag set on an earlier chunk, to make the stream end there.
    early = bytearray(chunks[2])
    early[0] |= 0x80
    with pytest.raises(crypto.BackupError, match="altered or damaged"):
        unseal(header + chunks[0] + chunks[1] + bytes(early))
    with pytest.raises(crypto.BackupError, match="extra bytes"):
        unseal(header + b"".join(chunks) + b"\0")


def test_something_else_is_not_taken_for_a_backup():
    with pytest.raises(crypto.BackupError, match="not a part of a portal backup"):
        unseal(b"PGDMP" + b"\0" * 100)


@pytest.mark.parametrize("text", ["", "short", "!" * 44, "a" * 40])
def test_a_malformed_key_is_refused_by_name(text, monkeypatch):
    monkeypatch.setenv("BACKUP_ENCRYPTION_KEY", text)
    expected = "no key" if not text else "BACKUP_ENCRYPTION_KEY must hold 32 random bytes"
    with pytest.raises(crypto.BackupError, match=expected):
        crypto.load_key(None, "BACKUP_ENCRYPTION_KEY")


def test_a_key_file_is_read_and_a_missing_one_named(tmp_path):
    (tmp_path / "key").write_text(KEY + "\n")
    assert crypto.load_key(tmp_path / "key", "UNUSED") == crypto.parse_key(KEY, "key")
    with pytest.raises(crypto.BackupError, match="cannot read the key file"):
        crypto.load_key(tmp_path / "absent", "UNUSED")


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite refusal")
def test_sqlite_is_refused_with_a_reason(tmp_path, keys):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("backup_portal", "--output", str(tmp_path / "backup"))


# Round trips on PostgreSQL --------------------------------------------------------------


def digest(storage, name):
    with storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def files_of(alias):
    storage = storages[alias]
    return {name: digest(storage, name) for name in archive.stored_names(storage)}


@pytest.fixture
def target(tmp_path):
    """An empty database on the same server and empty storages: where restores go."""
    name = f"{connection.settings_dict['NAME']}_restored"
    params = {**archive.database_params(), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    fresh = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "restored-media"},
        },
        "private": {
            "BACKEND": "portal.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "restored-private"},
        },
    }
    own = archive.database_params()
    url = "postgres://{}:{}@{}:{}/{}".format(
        quote(own.get("user", "")),
        quote(own.get("password", "")),
        own.get("host", "127.0.0.1"),
        own.get("port", "5432"),
        name,
    )
    with override_settings(STORAGES={**settings.STORAGES, **fresh}):
        yield url, {**own, "dbname": name}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def loaded(tmp_path, keys):
    """Clues with photos (some named: details sealed), a public file, and their backup."""
    clues = [ClueFactory(photos=2), ClueFactory(photos=1, named=True), ClueFactory()]
    storages["default"].save("documents/notice.txt", ContentFile("公告".encode()))
    output = tmp_path / "backup"
    call_command(
        "backup_portal",
        "--output",
        str(output),
        "--keys-output",
        str(tmp_path / "keys.bin"),
        stdout=io.StringIO(),
    )
    return clues, output, {alias: files_of(alias) for alias in archive.STORAGES}


def rows(params, query):
    with psycopg.connect(**params) as conn:
        return conn.execute(query).fetchall()


CLUES = (
    "SELECT tracking_number, what_happened, access_key_hash, reporter_sealed "
    "FROM reporting_clue ORDER BY id"
)
LEDGER = "SELECT clue_id, at, action FROM reporting_ledgerentry ORDER BY id"


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_brings_back_every_row_and_file(loaded, target):
    _clues, output, files = loaded
    url, params = target
    source = archive.database_params()
    manifest = archive.read_manifest(output, crypto.parse_key(KEY, "key"))
    assert manifest["tables"]["reporting_clue"] == Clue.objects.count() == 3
    assert manifest["tables"]["reporting_evidence"] == Evidence.objects.count() == 3
    assert len(files["private"]) >= 3 and "documents/notice.txt" in files["default"]
    # Nothing readable in the backup: no file name, no text of a clue.
    everything = b"".join(path.read_bytes() for path in output.rglob("*") if path.is_file())
    assert b"photo" not in everything and "菜市场".encode() not in everything
    assert b"evidence/" not in everything

    out = io.StringIO()
    call_command("restore_portal", "--input", str(output), "--database-url", url, stdout=out)

    assert rows(params, CLUES) == rows(source, CLUES)
    assert rows(params, LEDGER) == rows(source, LEDGER)
    assert len(rows(params, LEDGER)) == LedgerEntry.objects.count() > 0
    assert {alias: files_of(alias) for alias in archive.STORAGES} == files
    assert "Restored the backup of" in out.getvalue()


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_keys_go_to_their_own_file_and_open_without_settings(loaded, tmp_path):
    _clues, output, _files = loaded
    keys_file = tmp_path / "keys.bin"
    assert not keys_file.is_relative_to(output)
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    secret = settings.SECRET_KEY.encode()
    assert secret not in keys_file.read_bytes()
    assert not any(secret in path.read_bytes() for path in output.rglob("*") if path.is_file())
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "BACKUP_ENCRYPTION_KEY")
    }
    result = subprocess.run(
        [sys.executable, "-m", "portal.backup", "open-keys", str(keys_file)],
        cwd=settings.BASE_DIR,
        env={**env, "BACKUP_KEYS_ENCRYPTION_KEY": KEYS_KEY},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"SECRET_KEY='{settings.SECRET_KEY}'" in result.stdout
    assert f"REPORTER_ENCRYPTION_KEYS='{settings.REPORTER_ENCRYPTION_KEYS[0]}'" in result.stdout
    # The data key does not open the keys file.
    result = subprocess.run(
        [sys.executable, "-m", "portal.backup", "open-keys", str(keys_file)],
        cwd=settings.BASE_DIR,
        env={**env, "BACKUP_KEYS_ENCRYPTION_KEY": KEY},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "encrypted with another key" in result.stderr


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_keys_kept_with_the_data_or_under_its_key_are_refused(tmp_path, keys, monkeypatch):
    with pytest.raises(CommandError, match="kept apart"):
        call_command(
            "backup_portal",
            "--output",
            str(tmp_path / "b1"),
            "--keys-output",
            str(tmp_path / "b1" / "keys.bin"),
        )
    monkeypatch.setenv("BACKUP_KEYS_ENCRYPTION_KEY", KEY)
    with pytest.raises(CommandError, match="its own key"):
        call_command(
            "backup_portal", "--output", str(tmp_path / "b2"), "--keys-output", str(tmp_path / "k")
        )
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="is a file"):
        call_command("backup_portal", "--output", str(tmp_path / "file"))
    (tmp_path / "b3").mkdir()
    (tmp_path / "b3" / "old").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_portal", "--output", str(tmp_path / "b3"))


def refused(output, url, match, key=None):
    command = ["restore_portal", "--input", str(output), "--database-url", url]
    if key:
        command += ["--key-file", str(key)]
    with pytest.raises(CommandError, match=match):
        call_command(*command, stdout=io.StringIO())


def untouched(params):
    """The target as it was: no table, no file."""
    return not rows(params, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'") and not any(
        files_of(alias) for alias in archive.STORAGES
    )


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bad_backups_are_refused_before_anything_is_restored(loaded, target, tmp_path):
    _clues, output, _files = loaded
    url, params = target
    refused(tmp_path / "nowhere", url, "is not a folder")
    refused(output / archive.MANIFEST, url, "is not a folder")
    wrong = tmp_path / "wrong.key"
    wrong.write_text(crypto.new_key())
    refused(output, url, "encrypted with another key", key=wrong)

    manifest = archive.read_manifest(output, crypto.parse_key(KEY, "key"))
    photo = Path(output) / manifest["storages"]["private"][0]["part"]
    original = photo.read_bytes()
    # A changed byte in a file's part: found when it is checked, before the database.
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0x40
    photo.write_bytes(bytes(damaged))
    refused(output, url, "altered or damaged")
    assert untouched(params)
    # Cut short, and gone.
    photo.write_bytes(original[:-10])
    refused(output, url, "truncated or damaged")
    photo.unlink()
    refused(output, url, "is missing from the backup")
    photo.write_bytes(original)
    database = Path(output) / archive.DATABASE
    dump = database.read_bytes()
    database.write_bytes(dump[:-1] + bytes([dump[-1] ^ 1]))
    refused(output, url, "database.bin has been altered")
    database.write_bytes(dump)
    manifest_part = Path(output) / archive.MANIFEST
    sealed = manifest_part.read_bytes()
    manifest_part.write_bytes(sealed[:-5])
    refused(output, url, "manifest.bin is cut short")
    manifest_part.unlink()
    refused(output, url, "manifest.bin is missing")
    assert untouched(params)
    manifest_part.write_bytes(sealed)

    # Intact again: restored; a second restore finds the target full.
    call_command(
        "restore_portal", "--input", str(output), "--database-url", url, stdout=io.StringIO()
    )
    refused(
        output,
        url,
        r"the database has \d+ tables; the default storage holds \d+ files; the private",
    )
    call_command(
        "restore_portal",
        "--input",
        str(output),
        "--database-url",
        url,
        "--force",
        stdout=io.StringIO(),
    )
    assert rows(params, CLUES) == rows(archive.database_params(), CLUES)


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manifest_records_what_was_backed_up(loaded):
    _clues, output, files = loaded
    manifest = archive.read_manifest(output, crypto.parse_key(KEY, "key"))
    assert manifest["release"] == archive.release() != "unknown"
    assert manifest["pg_dump"].startswith("pg_dump (PostgreSQL)")
    listed = {e["name"]: e["sha256"] for e in manifest["storages"]["private"]}
    assert listed == files["private"]
    evidence = set(Evidence.objects.values_list("file", flat=True))
    assert evidence <= set(listed)
    assert json.dumps(manifest)  # plain data, nothing else


# The object store: a real S3 server (moto's) over HTTP ---------------------------------


@pytest.fixture
def s3_server():
    """moto's S3 server on 127.0.0.1, its address; stopped at the end (its buckets with it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_storages(url, prefix):
    """STORAGES with both storages in new buckets of the S3 server at `url`."""
    options = {
        "endpoint_url": url,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test-secret",
    }
    client = boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test-secret",
    )
    result = {}
    for alias in archive.STORAGES:
        bucket = f"{prefix}-{alias}"
        client.create_bucket(Bucket=bucket)
        result[alias] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": bucket, "file_overwrite": False},
        }
    return {**settings.STORAGES, **result}


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_files_in_an_object_store_come_back_into_new_buckets(s3_server, target, tmp_path, keys):
    url, _params = target
    big = os.urandom(3 * crypto.CHUNK + 123)  # several chunks, and S3's multipart upload
    with override_settings(STORAGES=s3_storages(s3_server, "source")):
        storages["private"].save("evidence/2026/12/a.jpg", ContentFile(big))
        storages["private"].save("evidence/2026/12/b/empty.txt", ContentFile(b""))
        storages["default"].save("images/公告.png", ContentFile(b"png"))
        files = {alias: files_of(alias) for alias in archive.STORAGES}
        call_command("backup_portal", "--output", str(tmp_path / "backup"), stdout=io.StringIO())
    assert len(files["private"]) == 2 and len(files["default"]) == 1
    with override_settings(STORAGES=s3_storages(s3_server, "restored")):
        assert not any(files_of(alias) for alias in archive.STORAGES)
        call_command(
            "restore_portal",
            "--input",
            str(tmp_path / "backup"),
            "--database-url",
            url,
            stdout=io.StringIO(),
        )
        assert {alias: files_of(alias) for alias in archive.STORAGES} == files
        assert files["private"]["evidence/2026/12/a.jpg"] == hashlib.sha256(big).hexdigest()
        # Into buckets that are not empty: refused, and --force replaces.
        refused(tmp_path / "backup", url, "the private storage holds 2 files")
        storages["private"].delete("evidence/2026/12/a.jpg")
        storages["private"].save("evidence/2026/12/a.jpg", ContentFile(b"not the same"))
        call_command(
            "restore_portal",
            "--input",
            str(tmp_path / "backup"),
            "--database-url",
            url,
            "--force",
            stdout=io.StringIO(),
        )
        assert {alias: files_of(alias) for alias in archive.STORAGES} == files
