"""Public media and evidence in S3-compatible buckets, through django-storages
(docs/storage.md). Imported only when S3_MEDIA_BUCKET or S3_PRIVATE_BUCKET names a bucket
(STORAGES gives these classes by path), so a process on local folders loads no boto3."""

import errno
import functools
import threading

from django.core.files.base import File

import botocore
from boto3.s3.transfer import TransferConfig
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


# One boto3 session per set of credentials in a process. django-storages makes a session
# for each thread's connection, and each new session loads and keeps the S3 service models
# again: about 13 MB a thread and a storage, so a gunicorn worker of 64 threads grew to
# 947 MB under load (drills/multi_instance.py), past a web container's limit. A session
# is not thread-safe, so resources are made from it under a lock; each thread still gets
# a resource of its own, as boto3 asks.
_SESSIONS = {}
_SESSIONS_LOCK = threading.Lock()


class _PortalS3Storage(S3Storage):
    def __init__(self, **options):
        options.setdefault("client_config", client_config(options.get("endpoint_url")))
        # An upload in the request's own thread: boto3 would start a pool of ten threads
        # for each one, and a worker already runs a thread per request.
        options.setdefault("transfer_config", TransferConfig(use_threads=False))
        super().__init__(**options)

    @property
    def connection(self):
        return self._thread_resource(self._connections, self.client_config)

    @property
    def unsigned_connection(self):
        unsigned = self.client_config.merge(Config(signature_version=botocore.UNSIGNED))
        return self._thread_resource(self._unsigned_connections, unsigned)

    def _thread_resource(self, local, config):
        resource = getattr(local, "connection", None)
        if resource is None:
            key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
            with _SESSIONS_LOCK:
                if key not in _SESSIONS:
                    _SESSIONS[key] = self._create_session()
                resource = _SESSIONS[key].resource(
                    "s3",
                    region_name=self.region_name,
                    use_ssl=self.use_ssl,
                    endpoint_url=self.endpoint_url,
                    config=config,
                    verify=self.verify,
                )
            local.connection = resource
        return resource

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
