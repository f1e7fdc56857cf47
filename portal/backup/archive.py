"""Writing and restoring a backup: the database with pg_dump, every file of the public and
private storages through Django's storage API (so local folders and S3 buckets alike), and a
manifest, each part sealed with the backup key (portal.backup.crypto).

A backup is a folder:

    manifest.bin              names, sizes and SHA-256 of every file, rows per table, versions
    database.bin              pg_dump's custom format
    files/<storage>/<n>.bin   one per stored file; names are in the manifest only

The manifest is written last: a folder without one is an unfinished backup.

The database is dumped in the snapshot in which its rows are counted (pg_export_snapshot),
so the counts are those of the dump. The files are listed after the dump: a clue committed
meanwhile leaves files the dump does not know (harmless), never a clue without its files.
"""

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections

import dj_database_url
import psycopg
from psycopg import sql

from .crypto import (
    BackupError,
    OpenedReader,
    Sealer,
    key_id,
    open_bytes,
    open_stream,
    seal_bytes,
)

FORMAT = 1
MANIFEST = "manifest.bin"
DATABASE = "database.bin"
# The storages a backup holds: public media (Wagtail images and documents) and evidence.
STORAGES = ("default", "private")
KEY_VARIABLE = "BACKUP_ENCRYPTION_KEY"
KEYS_KEY_VARIABLE = "BACKUP_KEYS_ENCRYPTION_KEY"
# The settings whose values are secrets: written to the keys file, never to the backup.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "REPORTER_ENCRYPTION_KEYS",
    "EMAIL_HOST_PASSWORD",
    "METRICS_TOKEN",
)
# Environment variables holding secrets that settings do not keep under their own name.
SECRET_VARIABLES = ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "MINIO_KMS_SECRET_KEY")


def pg_binary(name):
    folder = os.environ.get("PG_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(
            f"{name} not found: install PostgreSQL's client programs (Debian: "
            "postgresql-client) or set PG_BIN to their folder"
        )
    return found


def database_params(url=None):
    """Connection parameters of the settings' database, or of `url`; PostgreSQL only."""
    if url:
        config = dj_database_url.parse(url)
        if "postgresql" not in config["ENGINE"]:
            raise BackupError("--database-url must be a postgres:// address")
    else:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise BackupError(
                "backups are made with pg_dump: this command needs PostgreSQL, and "
                f"DATABASE_URL names a {connection.vendor} database (copy a SQLite file "
                "with `sqlite3 FILE '.backup COPY'` instead)"
            )
        config = connection.settings_dict
    params = {
        "host": config.get("HOST") or "",
        "port": str(config.get("PORT") or ""),
        "dbname": config["NAME"],
        "user": config.get("USER") or "",
        "password": config.get("PASSWORD") or "",
    }
    if (config.get("OPTIONS") or {}).get("sslmode"):
        params["sslmode"] = config["OPTIONS"]["sslmode"]
    return {key: value for key, value in params.items() if value}


def pg_env(params):
    """The environment for pg_dump and pg_restore: the password stays out of their
    command lines (which any user of the machine can read)."""
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",  # nosec B105 (a variable's name)
        "sslmode": "PGSSLMODE",
    }
    return {**os.environ, **{names[key]: value for key, value in params.items()}}


def release():
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def stored_names(storage, folder=""):
    """Every file in `storage`, recursively, as the names save() and open() take."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        if folder:
            raise
        return  # a local storage's folder not made yet: a new machine's storage is empty
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(folders):
        yield from stored_names(storage, f"{folder}/{name}" if folder else name)


def table_counts(conn):
    tables = conn.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    counts = {}
    for schema, table in tables:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        name = table if schema == "public" else f"{schema}.{table}"
        counts[name] = conn.execute(query).fetchone()[0]
    return counts


def _write_part(path, key, name, source_chunks):
    """Seals `source_chunks` into the file `path` (written under a temporary name, renamed
    when complete); returns (size, sha256 hex, sealed size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        sealer = Sealer(key, out, name)
        for chunk in source_chunks:
            sealer.write(chunk)
        sealer.close()
        out.flush()
        os.fsync(out.fileno())
    partial.rename(path)
    return sealer.size, sealer.sha256.hexdigest(), path.stat().st_size


def _dump_database(params, snapshot, path, key):
    command = [
        pg_binary("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--snapshot={snapshot}",
    ]
    process = subprocess.Popen(  # nosec B603 # noqa: S603 (fixed arguments, no shell)
        command, env=pg_env(params), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        result = _write_part(path, key, DATABASE, iter(lambda: process.stdout.read(1 << 20), b""))
    finally:
        process.stdout.close()
        errors = process.stderr.read().decode(errors="replace").strip()
        process.wait()
    if process.returncode:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {errors}")
    return result


def pg_dump_version():
    output = subprocess.run(  # nosec B603 # noqa: S603 (fixed arguments, no shell)
        [pg_binary("pg_dump"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return output.strip()


def backup(output, key, keys_output=None, keys_key=None, log=print):
    """Writes a backup into the folder `output` (new or empty); with `keys_output`, the
    settings' secrets into that file under `keys_key`. Returns the manifest."""
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise BackupError(f"{output} is a file: give a new folder for each backup")
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty: give a new folder for each backup")
    if keys_output:
        keys_output = Path(keys_output).resolve()
        if keys_output.is_relative_to(output.resolve()):
            raise BackupError("the keys file must be kept apart: not inside the backup's folder")
        if keys_key is None or keys_key == key:
            raise BackupError(
                f"the keys file needs its own key ({KEYS_KEY_VARIABLE}), not the backup's"
            )
    params = database_params()
    output.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    manifest = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "release": release(),
        "pg_dump": pg_dump_version(),
        "key_id": key_id(key).hex(),
    }
    with psycopg.connect(**params, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        manifest["server"] = conn.execute("SHOW server_version").fetchone()[0]
        manifest["tables"] = table_counts(conn)
        size, sha256, sealed = _dump_database(params, snapshot, output / DATABASE, key)
        conn.rollback()
    manifest["database"] = {"part": DATABASE, "size": size, "sha256": sha256, "sealed": sealed}
    log(f"database: {size} bytes dumped, {sum(manifest['tables'].values())} rows")
    manifest["storages"] = {}
    for alias in STORAGES:
        storage = storages[alias]
        entries = []
        for number, name in enumerate(stored_names(storage), start=1):
            part = f"files/{alias}/{number:07d}.bin"
            try:
                with storage.open(name, "rb") as source:
                    size, sha256, sealed = _write_part(
                        output / part, key, part, iter(lambda s=source: s.read(1 << 20), b"")
                    )
            except FileNotFoundError:
                raise BackupError(
                    f"{alias} storage: {name} went away while the backup ran (a purge?): "
                    "run the backup again into a new folder"
                ) from None
            entries.append(
                {"name": name, "part": part, "size": size, "sha256": sha256, "sealed": sealed}
            )
        manifest["storages"][alias] = entries
        log(f"{alias} storage: {len(entries)} files, {sum(e['size'] for e in entries)} bytes")
    manifest["seconds"] = round(time.monotonic() - started, 2)
    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    partial = output / (MANIFEST + ".partial")
    partial.write_bytes(seal_bytes(key, body, MANIFEST))
    partial.rename(output / MANIFEST)
    if keys_output:
        write_keys(keys_output, keys_key)
        log(f"keys: written to {keys_output}")
    return manifest


def secrets():
    found = {}
    for name in SECRET_SETTINGS:
        value = getattr(settings, name, None)
        if isinstance(value, list | tuple):
            value = ",".join(value)
        if value:
            found[name] = str(value)
    for name in SECRET_VARIABLES:
        if os.environ.get(name):
            found[name] = os.environ[name]
    return found


def write_keys(path, keys_key):
    document = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": secrets(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(seal_bytes(keys_key, json.dumps(document).encode(), "keys"))
    partial.rename(path)


# Restoring ------------------------------------------------------------------------------


def read_manifest(folder, key):
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{path} is missing: not a backup, or one that did not finish (the manifest is "
            "written last)"
        )
    manifest = json.loads(open_bytes(key, path.read_bytes(), MANIFEST))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not known to this release")
    return manifest


def parts(manifest):
    yield manifest["database"]
    for entries in manifest["storages"].values():
        yield from entries


def check_parts_present(folder, manifest):
    """Every part there, at the size it was written: cheap, before anything is touched."""
    for entry in parts(manifest):
        path = Path(folder) / entry["part"]
        if not path.is_file():
            raise BackupError(f"{entry['part']} is missing from the backup")
        if path.stat().st_size != entry["sealed"]:
            raise BackupError(
                f"{entry['part']} is {path.stat().st_size} bytes, {entry['sealed']} were "
                "written: truncated or damaged"
            )


def check_part(folder, key, entry, out=None):
    """Decrypts a part, writing it to `out` if given, and checks its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    with open(Path(folder) / entry["part"], "rb") as source:
        for chunk in open_stream(key, source, entry["part"]):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise BackupError(f"{entry['part']} does not match the manifest's size and SHA-256")


def database_tables(params):
    with psycopg.connect(**params) as conn:
        return table_counts(conn)


def empty_storages():
    """{alias: files it holds} for the storages that are not empty."""
    full = {}
    for alias in STORAGES:
        count = sum(1 for _name in stored_names(storages[alias]))
        if count:
            full[alias] = count
    return full


def restore(folder, key, force=False, database_url=None, log=print):
    """Restores the backup in `folder` into the settings' (or `database_url`'s) database and
    the storages. Checks everything it can before it changes anything: the manifest, every
    part present, the target empty (unless `force`), every part decrypted and its SHA-256;
    then the database in one transaction, then the files."""
    folder = Path(folder)
    manifest = read_manifest(folder, key)
    check_parts_present(folder, manifest)
    params = database_params(database_url)
    existing = database_tables(params)
    full = empty_storages()
    if (existing or full) and not force:
        what = []
        if existing:
            what.append(f"the database has {len(existing)} tables")
        what += [f"the {alias} storage holds {count} files" for alias, count in full.items()]
        raise BackupError(
            "restore into an empty database and empty storages: "
            + "; ".join(what)
            + " (--force replaces what is there)"
        )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as scratch:
        dump = Path(scratch) / "database.dump"
        with open(os.open(dump, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as out:
            check_part(folder, key, manifest["database"], out)
        for alias in STORAGES:
            for entry in manifest["storages"][alias]:
                check_part(folder, key, entry)
        log(f"checked: the database and {sum(1 for _ in parts(manifest)) - 1} files")
        _restore_database(params, dump, clean=bool(existing))
    counts = database_tables(params)
    differing = {
        table: (rows, counts.get(table))
        for table, rows in manifest["tables"].items()
        if counts.get(table) != rows
    }
    if differing:
        raise BackupError(f"rows per table differ from the manifest's after restore: {differing}")
    log(f"database: restored, {sum(counts.values())} rows in {len(counts)} tables")
    for alias in STORAGES:
        storage = storages[alias]
        entries = manifest["storages"][alias]
        for entry in entries:
            _restore_file(storage, folder, key, entry)
        log(f"{alias} storage: {len(entries)} files restored")
        if full.get(alias):
            # Left in place: files the backup does not know belong to no restored row, but
            # a restore does not delete what it cannot bring back.
            extra = set(stored_names(storage)) - {entry["name"] for entry in entries}
            if extra:
                log(f"{alias} storage: {len(extra)} files not in the backup left in place")
    log(f"restored in {time.monotonic() - started:.1f} s")
    return manifest


def _restore_database(params, dump, clean):
    command = [
        pg_binary("pg_restore"),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        f"--dbname={params['dbname']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    result = subprocess.run(  # nosec B603 # noqa: S603 (fixed arguments, no shell)
        [*command, str(dump)], env=pg_env(params), capture_output=True, text=True
    )
    if result.returncode:
        raise BackupError(
            f"pg_restore failed; nothing of the database was restored: {result.stderr.strip()}"
        )


def _restore_file(storage, folder, key, entry):
    name = entry["name"]
    if storage.exists(name):
        storage.delete(name)  # only with --force: the storages were empty otherwise
    with open(Path(folder) / entry["part"], "rb") as source:
        reader = OpenedReader(key, source, entry["part"], entry["sha256"])
        saved = storage.save(name, File(reader, name=name))
    if saved != name:
        with contextlib.suppress(Exception):
            storage.delete(saved)
        raise BackupError(f"the storage saved {name} as {saved}: restore into an empty storage")
