"""A moto S3 server run over HTTP for the storage tests, and settings pointing at it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

import boto3

from portal.settings.storage import storage_settings

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

    def start(self, timeout=60, env=None):
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            env={**os.environ, **(env or {})},
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
