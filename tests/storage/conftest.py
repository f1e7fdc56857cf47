"""The storage tests run twice: on local folders and on S3 buckets served by moto's own
server, started here over HTTP (one per test process), so that every call goes through
botocore and the wire as it would to MinIO or AWS."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

import boto3
import pytest

from portal.settings.storage import storage_settings
from tests.reporting.conftest import report_page, staff, valid_data

__all__ = ["report_page", "staff", "valid_data"]

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LOCAL = {"media_bucket": None, "private_bucket": None}


class MotoServer:
    """moto_server in a subprocess on a free port; started() returns once it answers."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, timeout=60):
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):  # noqa: S310 (http only)
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url} within {timeout} s")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )

    def s3_settings(self, **buckets):
        """The S3 values settings.S3 holds, for this server and these buckets."""
        return {
            "endpoint_url": self.url,
            "region_name": "us-east-1",
            "media_bucket": None,
            "private_bucket": None,
            "media_custom_domain": None,
            "private_encryption": "AES256",
            "private_kms_key_id": None,
            **CREDENTIALS,
            **buckets,
        }


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


def public_read_policy(bucket):
    """What docs/storage.md gives the media bucket: anyone may read its objects."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def use_buckets(settings_fixture, server, **buckets):
    s3 = server.s3_settings(**buckets)
    configured = storage_settings(s3, settings.PRIVATE_MEDIA_ROOT)
    configured["staticfiles"] = settings.STORAGES["staticfiles"]
    settings_fixture.S3 = s3
    # pytest-django's settings fixture sends setting_changed: Django forgets the storages it
    # built (django.test.signals.storages_changed) and portal.storage its lazy private one.
    settings_fixture.STORAGES = configured


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
