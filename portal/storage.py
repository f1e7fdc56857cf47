"""The storages of public media and private evidence: local folders, or S3-compatible buckets
(docs/storage.md)."""

import contextlib
import errno
import functools
import os
from urllib.parse import urlsplit

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# A dead or unreachable endpoint must fail a request (and the readiness probe) within seconds,
# not after botocore's defaults (60 s per attempt, several attempts). The read timeout bounds
# one wait for bytes, not a whole transfer, so large files are not cut short.
S3_CONNECT_TIMEOUT = 2
S3_READ_TIMEOUT = 10
S3_ATTEMPTS = 2


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


def client_config(endpoint_url):
    return Config(
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        retries={"total_max_attempts": S3_ATTEMPTS, "mode": "standard"},
        # Path-style addresses (endpoint/bucket/key) for a self-hosted endpoint such as
        # MinIO, whose host names carry no bucket; AWS chooses for itself.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        signature_version="s3v4",
        # Checksums only where S3 requires them: several S3-compatible servers refuse the
        # CRC32 trailers recent botocore adds to every upload.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


class _PortalS3Storage(S3Storage):
    def __init__(self, **options):
        options.setdefault("client_config", client_config(options.get("endpoint_url")))
        super().__init__(**options)

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            # Django's own rule: a name in use gets a suffix; an upload never replaces another.
            "file_overwrite": False,
            # No ACL is sent: each object takes the bucket's (private unless made public).
            "default_acl": None,
        }


class PublicS3Storage(_PortalS3Storage):
    """Public media (Wagtail images and documents) in a bucket readers fetch from directly,
    or through S3_MEDIA_CUSTOM_DOMAIN: addresses are plain, never signed, so pages that hold
    them can be cached."""

    def get_default_settings(self):
        return {**super().get_default_settings(), "querystring_auth": False}


class StreamedFile(File):
    """An object read as it arrives, for evidence downloads: S3File would first copy the
    whole object into memory."""

    def __init__(self, body, name, size):
        super().__init__(body, name)
        self.size = size
        self.mode = "rb"


class BucketError(OSError):
    """The bucket refused or could not be reached. An OSError, as a failing disk raises: the
    code that keeps evidence all-or-nothing, and staging, catch OSError whatever the storage."""


def _as_os_error(method):
    @functools.wraps(method)
    def translated(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (BotoCoreError, ClientError) as error:
            raise BucketError(errno.EIO, f"object storage: {error}") from error

    return translated


class PrivateS3Storage(_PortalS3Storage):
    """Evidence in a bucket that is never public: no object has an address (as on disk), each
    is written with the server-side encryption in object_parameters and no ACL. An upload
    that fails leaves no object: a single PUT is never half stored, and boto3 aborts a
    multipart upload whose part fails (tests/storage)."""

    def url(self, name, *args, **kwargs):
        raise ValueError("Private files have no URL; stream them through a checked view.")

    def _get_write_parameters(self, name, content=None):
        parameters = super()._get_write_parameters(name, content)
        if parameters.get("ACL", "private") != "private":
            raise ValueError("Evidence objects are never written with a public ACL.")
        return parameters

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        return StreamedFile(answer["Body"], name, answer["ContentLength"])

    _open = _as_os_error(_open)
    _save = _as_os_error(_PortalS3Storage._save)
    delete = _as_os_error(_PortalS3Storage.delete)
    exists = _as_os_error(_PortalS3Storage.exists)
    listdir = _as_os_error(_PortalS3Storage.listdir)
    size = _as_os_error(_PortalS3Storage.size)
    get_modified_time = _as_os_error(_PortalS3Storage.get_modified_time)


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
