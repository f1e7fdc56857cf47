"""The storage tests run twice: on local folders and on S3 buckets served by moto's own
server, started here over HTTP (one per test process), so that every call goes through
botocore and the wire as it would to MinIO or AWS."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

import pytest

from portal.settings.storage import storage_settings
from tests.reporting.conftest import report_page, staff, valid_data
from tests.storage.s3 import LOCAL, MotoServer, public_read_policy, use_buckets

__all__ = ["report_page", "staff", "valid_data"]


@pytest.fixture(scope="session")
def moto():
    server = MotoServer().start()
    yield server
    server.stop()


class Buckets:
    """Where the files of a test went: local folders, or two fresh buckets."""

    def __init__(self, kind, server=None, media=None, private=None):
        self.kind, self.server, self.media, self.private = kind, server, media, private

    @property
    def s3(self):
        return self.kind == "s3"

    def keys(self, bucket, prefix=""):
        listed = self.server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(entry["Key"] for entry in listed.get("Contents", ()))

    def private_names(self, prefix=""):
        """Every evidence file stored, by name, wherever it is."""
        if self.s3:
            return self.keys(self.private, prefix)
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        return sorted(
            str(path.relative_to(root))
            for path in (root / prefix).rglob("*")
            if path.is_file() and not str(path.relative_to(root)).startswith("health/")
        )


@pytest.fixture(params=["local", "s3"])
def file_storage(request, settings):
    """Each test using it runs on local folders, then on fresh buckets of the moto server."""
    if request.param == "local":
        # Folders of its own, so that what a test finds stored is what it stored.
        tmp_path = request.getfixturevalue("tmp_path")
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
        local = storage_settings(LOCAL, settings.PRIVATE_MEDIA_ROOT)
        local["staticfiles"] = settings.STORAGES["staticfiles"]
        settings.STORAGES = local
        yield Buckets("local")
        return
    server = request.getfixturevalue("moto")
    suffix = uuid.uuid4().hex[:12]
    media, private = f"media-{suffix}", f"private-{suffix}"
    client = server.client()
    for bucket in (media, private):
        client.create_bucket(Bucket=bucket)
    client.put_bucket_policy(Bucket=media, Policy=public_read_policy(media))
    use_buckets(settings, server, media_bucket=media, private_bucket=private)
    assert type(storages["private"]).__name__ == "PrivateS3Storage"
    yield Buckets("s3", server, media, private)
