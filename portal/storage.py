"""The storages of public media and private evidence: local folders here, S3-compatible buckets
in portal.buckets (imported only when a bucket is configured; docs/storage.md)."""

import contextlib
import os
from urllib.parse import urlsplit

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


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


class PrivateStorage(LazyObject):
    """storages["private"], looked up when first used: the evidence fields hold this, so a
    test that swaps STORAGES (local folders, then a bucket) swaps what they write to."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty


def local_path(storage, name):
    """The file system path of a name, or None for a storage that has none (a bucket)."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def media_origin():
    """The origin public media is read from when it is not the portal's own (a bucket or a
    CDN): pages must allow images and videos from there."""
    address = urlsplit(storages["default"].url("media-origin"))
    return f"{address.scheme}://{address.netloc}" if address.netloc else None
