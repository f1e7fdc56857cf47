import resource
import signal

from django.core.files.base import ContentFile

import pytest

from portal.storage import PrivateFileSystemStorage


@pytest.fixture
def file_size_limit():
    """Writes past 64 kB fail (EFBIG) after the first 64 kB are on disk: a real write that
    fails halfway, as on a disk that fills up mid-file (drills/storage_full.py, ENOSPC)."""
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, hard))
    yield
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, handler)


def test_a_write_that_fails_halfway_leaves_no_file(tmp_path, file_size_limit):
    """Found by drills/storage_full.py: the half-written evidence file stayed behind, with
    no clue referring to it."""
    storage = PrivateFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError):
        storage.save("evidence/photo.jpg", ContentFile(b"x" * 200_000))
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_failed_write_never_removes_a_file_it_did_not_create(tmp_path, file_size_limit):
    storage = PrivateFileSystemStorage(location=tmp_path)
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "photo.jpg").write_bytes(b"kept")
    with pytest.raises(OSError):
        storage.save("evidence/photo.jpg", ContentFile(b"x" * 200_000))
    assert (tmp_path / "evidence" / "photo.jpg").read_bytes() == b"kept"
