"""Evidence files in private storage: written with their clue, all or nothing."""

import contextlib

from django.core.files.base import ContentFile

from reporting.evidence import crypto
from reporting.models import Evidence


class EvidenceStorageError(Exception):
    """Evidence could not be written; nothing of the submission was kept."""


def store_files(clue, files, written):
    for processed in files:
        item = Evidence(
            clue=clue,
            kind=processed.kind,
            content_type=processed.content_type,
            extension=processed.extension,
            size=processed.size,
            sha256=processed.sha256,
            original_sha256=processed.original_sha256,
            original_size=processed.original_size,
            metadata_removed=processed.metadata_removed,
        )
        item.file.save("evidence", ContentFile(processed.content), save=False)
        written.append(item.file)
        if processed.original is not None:
            sealed = crypto.seal_bytes(processed.original)
            item.original_file.save("original", ContentFile(sealed), save=False)
            written.append(item.original_file)
        item.save()


def delete_files(files):
    for field_file in files:
        # Already gone, or the storage itself is failing: nothing more can be done here.
        with contextlib.suppress(OSError):
            field_file.storage.delete(field_file.name)
