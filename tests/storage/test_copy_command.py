"""manage.py copy_files_to_storage: the local folders into the buckets, under the same names."""

import uuid
from io import StringIO

from django.core.management import CommandError, call_command

import pytest

from tests.storage.s3 import use_buckets


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("copy_files_to_storage", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    files = {
        settings.MEDIA_ROOT / "original_images/poster.png": b"png",
        settings.PRIVATE_MEDIA_ROOT / "evidence/2026/12/abc.jpg": b"evidence",
        settings.PRIVATE_MEDIA_ROOT / "staging/f00/1.bin": b"staged",
        settings.PRIVATE_MEDIA_ROOT / "health/probe-left": b"\0",
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def test_a_local_storage_is_refused(folders):
    with pytest.raises(CommandError, match="still a local folder"):
        run()


def test_files_are_copied_once_under_their_names_and_evidence_encrypted(folders, moto, settings):
    media, private = (f"{kind}-{uuid.uuid4().hex[:12]}" for kind in ("media", "private"))
    client = moto.client()
    for bucket in (media, private):
        client.create_bucket(Bucket=bucket)
    use_buckets(settings, moto, media_bucket=media, private_bucket=private)

    assert run("--dry-run")[0].splitlines() == [
        "media: 1 to copy, 0 already there, 0 different",
        "private: 2 to copy, 0 already there, 0 different",
    ]
    assert "Contents" not in client.list_objects_v2(Bucket=private)
    assert run()[0].splitlines() == [
        "media: 1 copied, 0 already there, 0 different",
        "private: 2 copied, 0 already there, 0 different",
    ]
    keys = sorted(entry["Key"] for entry in client.list_objects_v2(Bucket=private)["Contents"])
    assert keys == ["evidence/2026/12/abc.jpg", "staging/f00/1.bin"]
    head = client.head_object(Bucket=private, Key="evidence/2026/12/abc.jpg")
    assert head["ServerSideEncryption"] == "AES256"
    body = client.get_object(Bucket=media, Key="original_images/poster.png")["Body"].read()
    assert body == b"png"

    assert run("--which", "private")[0].splitlines() == [
        "private: 0 copied, 2 already there, 0 different"
    ]
    client.put_object(Bucket=private, Key="staging/f00/1.bin", Body=b"another file")
    with pytest.raises(CommandError, match="1 names hold different files"):
        run("--which", "private")
    assert client.get_object(Bucket=private, Key="staging/f00/1.bin")["Body"].read() == (
        b"another file"
    )
