"""The readiness probe's evidence-storage check against S3: how long the write and delete of a
4 kB probe take on a live bucket (moto_server on 127.0.0.1), and how long the check takes to
fail on a missing bucket, a stopped endpoint and a closed port (portal.storage's client
timeouts and retries). Needs no database.

    .venv/bin/python benchmarks/storage_probe.py [--runs 30]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402

from portal.buckets import PrivateS3Storage  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def storage(url, bucket="evidence"):
    return PrivateS3Storage(
        endpoint_url=url,
        region_name="us-east-1",
        access_key="benchmark",
        secret_key="benchmark",  # nosec B106 # noqa: S106 (moto takes any key)
        bucket_name=bucket,
        object_parameters={"ServerSideEncryption": "AES256"},
    )


def probe(target):
    started = time.perf_counter()
    try:
        name = target.save(f"health/probe-{uuid.uuid4().hex}", ContentFile(b"\0" * 4096))
        target.delete(name)
        outcome = "ok"
    except OSError as error:
        outcome = type(error.__cause__ or error).__name__
    return time.perf_counter() - started, outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, choices=range(1, 1001), metavar="1-1000")
    runs = parser.parse_args().runs
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # nosec B310 # noqa: S310 (http, the moto server started here)
                    break
            except OSError:
                time.sleep(0.1)
        live = storage(url)
        live.connection.meta.client.create_bucket(Bucket="evidence")
        probe(live)
        times = [probe(live)[0] * 1000 for _ in range(runs)]
        print(
            f"live bucket: median {statistics.median(times):.1f} ms, "
            f"slowest {max(times):.1f} ms over {runs} probes"
        )
        print("missing bucket: {:.2f} s ({})".format(*probe(storage(url, "no-such-bucket"))))
    finally:
        server.terminate()
        server.wait()
    print("stopped endpoint: {:.2f} s ({})".format(*probe(live)))
    print("closed port: {:.2f} s ({})".format(*probe(storage(f"http://127.0.0.1:{free_port()}"))))


if __name__ == "__main__":
    main()
