"""Receiving evidence without ever writing a reporter's unstripped file to disk.

Django spools large uploads to temporary files; for the report views this handler keeps each
file in memory instead, bounded by the per-file, per-report and count limits. A file beyond a
limit is read and dropped (so the text fields after it still arrive) and named in an error.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class EvidenceUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.rejected = []
        self.kept_bytes = 0
        self.kept_files = 0
        request.evidence_rejected = self.rejected

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        # Chunks joined once at the end: a growing BytesIO reallocates and copies as the photo
        # arrives, fresh memory the worker must fault in after every trim (portal/memory.py).
        self.buffer = []
        self.buffered = 0
        self.reason = None
        if self.kept_files >= settings.EVIDENCE_MAX_FILES:
            self.reason = _(
                "Only %(count)s files can be sent with one report: “%(name)s” was not accepted."
            )

    def receive_data_chunk(self, raw_data, start):
        if self.reason:
            return None
        size = self.buffered + len(raw_data)
        if size > settings.EVIDENCE_MAX_FILE_BYTES:
            self.reason = _("“%(name)s” is larger than %(limit)s.")
        elif self.kept_bytes + size > settings.EVIDENCE_MAX_TOTAL_BYTES:
            self.reason = _(
                "Together the files are larger than %(total)s: “%(name)s” was not accepted."
            )
        if self.reason:
            self.buffer = None
            return None
        self.buffer.append(raw_data)
        self.buffered = size
        return None

    def file_complete(self, file_size):
        if self.reason:
            self.rejected.append(
                self.reason
                % {
                    "name": self.file_name,
                    "count": settings.EVIDENCE_MAX_FILES,
                    "limit": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES),
                    "total": filesizeformat(settings.EVIDENCE_MAX_TOTAL_BYTES),
                }
            )
            return None
        self.kept_files += 1
        self.kept_bytes += file_size
        content, self.buffer = b"".join(self.buffer), None
        return InMemoryUploadedFile(
            file=io.BytesIO(content),
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
