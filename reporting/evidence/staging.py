"""Files kept between attempts at the report form.

When a submission has errors, the files that passed their checks are kept (already stripped)
under the form's submission token, so the reporter does not pick them again. They live in the
private storage, in a folder named by a hash of the token; the next successful submission with
that token takes them, and folders left behind are purged after a day.
"""

import hashlib
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from reporting.evidence import crypto
from reporting.evidence.checks import ProcessedFile

ROOT = "staging"
MAX_AGE_SECONDS = 24 * 3600
FIELDS = (
    "display_name",
    "kind",
    "content_type",
    "extension",
    "sha256",
    "original_sha256",
    "original_size",
    "metadata_removed",
)


def _storage():
    return storages["private"]


def _folder(token):
    return f"{ROOT}/{hashlib.sha256(token.encode()).hexdigest()[:32]}"


def stage(token, processed):
    """Keep one checked file for this form; refused (False) beyond the report's limits, so
    repeated failed attempts cannot pile files up."""
    kept = staged(token)
    kept_bytes = sum(manifest["original_size"] for _, manifest in kept)
    if (
        len(kept) >= settings.EVIDENCE_MAX_FILES
        or kept_bytes + processed.original_size > settings.EVIDENCE_MAX_TOTAL_BYTES
    ):
        return False
    storage, folder, file_id = _storage(), _folder(token), uuid.uuid4().hex
    storage.save(f"{folder}/{file_id}.bin", ContentFile(processed.content))
    if processed.original is not None:
        storage.save(
            f"{folder}/{file_id}.orig", ContentFile(crypto.seal_bytes(processed.original))
        )
    manifest = {field: getattr(processed, field) for field in FIELDS}
    manifest["staged_at"] = time.time()
    # Sealed: the manifest holds the file's name as the reporter's device gave it.
    storage.save(f"{folder}/{file_id}.json", ContentFile(crypto.seal(manifest)))
    return file_id


def _listdir(storage, folder):
    """(folders, files) in a folder; none when it does not exist. Asked directly, not through
    exists(): in a bucket a folder is only a prefix of names, never an object of its own, so
    exists() says False even when files are in it; and a folder on disk that is not there
    makes listdir raise. A bucket that cannot be listed raises (portal.buckets.BucketError)."""
    try:
        return storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return [], []


def staged(token):
    """[(file id, manifest)] for a token, oldest first."""
    if not token:
        return []
    storage, folder = _storage(), _folder(token)
    entries = []
    for name in _listdir(storage, folder)[1]:
        if name.endswith(".json"):
            with storage.open(f"{folder}/{name}") as handle:
                entries.append((name[:-5], crypto.open_sealed(handle.read())))
    return sorted(entries, key=lambda entry: entry[1]["staged_at"])


def load(token, file_id, manifest):
    storage, folder = _storage(), _folder(token)
    with storage.open(f"{folder}/{file_id}.bin") as handle:
        content = handle.read()
    original = None
    if storage.exists(f"{folder}/{file_id}.orig"):
        with storage.open(f"{folder}/{file_id}.orig") as handle:
            original = crypto.open_bytes(handle.read())
    fields = {field: manifest[field] for field in FIELDS}
    return ProcessedFile(content=content, original=original, **fields)


def remove(token, file_id):
    storage, folder = _storage(), _folder(token)
    for suffix in (".bin", ".orig", ".json"):
        storage.delete(f"{folder}/{file_id}{suffix}")


def discard(token):
    for file_id, _manifest in staged(token):
        remove(token, file_id)


def purge_abandoned(now=None):
    """Delete staged files older than a day; returns how many were removed."""
    storage, now = _storage(), now or time.time()
    removed = 0
    for folder in _listdir(storage, ROOT)[0]:
        for name in _listdir(storage, f"{ROOT}/{folder}")[1]:
            path = f"{ROOT}/{folder}/{name}"
            if now - storage.get_modified_time(path).timestamp() > MAX_AGE_SECONDS:
                storage.delete(path)
                removed += 1
    return removed
