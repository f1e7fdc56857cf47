import contextlib
import os

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Storage for evidence: files are only ever read by permission-checked views.

    FileSystemStorage falls back to MEDIA_URL when base_url is None, which would give every
    evidence file a public address; here asking for one is an error.
    """

    def url(self, name):
        raise ValueError("Private files have no URL; stream them through a checked view.")

    def _save(self, name, content):
        """A write that fails halfway (a full disk) leaves what was written, under a name no
        row refers to; it is removed. Only a file this call created: the names are random
        and were free just before, so anything there now is the half-written one."""
        path = self.path(name)
        existed = os.path.lexists(path)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed:
                with contextlib.suppress(OSError):
                    os.remove(path)
            raise
