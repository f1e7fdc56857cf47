"""Evidence keeps its guarantees wherever it is stored: each test runs on local folders and on
S3 buckets (tests/storage/conftest.py)."""

import hashlib
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from reporting.evidence import checks as evidence
from reporting.evidence import staging
from reporting.factories import ClueFactory
from reporting.jobs import retention
from reporting.models import Clue, Evidence, LedgerEntry
from tests.reporting import samples
from tests.reporting.helpers import as_user
from tests.storage.s3 import MotoServer, use_buckets

pytestmark = pytest.mark.django_db


def post_report(client, report_page, valid_data, files, browser=None, **changes):
    _, hidden = report_page(browser=browser)
    data = {**valid_data(), **hidden, **changes, "evidence": list(files)}
    return client.post("/report/", data), hidden


def png(name="photo.png"):
    return SimpleUploadedFile(name, samples.png_with_text(), content_type="image/png")


def stored(file_storage, name):
    """The bytes stored under a name, read past the portal's storage classes."""
    if file_storage.s3:
        answer = file_storage.server.client().get_object(Bucket=file_storage.private, Key=name)
        return answer["Body"].read()
    return storages["private"].open(name).read()


def test_a_report_with_evidence_is_stored_encrypted_and_staff_download_it(
    file_storage, client, report_page, valid_data, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _hidden = post_report(client, report_page, valid_data, [png()])
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert file_storage.private_names("evidence/") == [item.file.name]
    assert hashlib.sha256(stored(file_storage, item.file.name)).hexdigest() == item.sha256
    if file_storage.s3:
        head = file_storage.server.client().head_object(
            Bucket=file_storage.private, Key=item.file.name
        )
        assert head["ServerSideEncryption"] == "AES256"
        acl = file_storage.server.client().get_object_acl(
            Bucket=file_storage.private, Key=item.file.name
        )
        assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
        assert "URI" not in acl["Grants"][0]["Grantee"]  # no AllUsers, no AuthenticatedUsers
        address = f"{file_storage.server.url}/{file_storage.private}/{item.file.name}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(address)  # noqa: S310 (the test's own server)
        assert refused.value.code == 403

    with pytest.raises(ValueError, match="no URL"):
        item.file.url  # noqa: B018

    reviewer = as_user(staff["intake-hebei"])
    download = reviewer.get(reverse("clues:evidence", args=[item.clue.pk, item.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == item.sha256
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert item.clue.ledger.filter(action=LedgerEntry.Action.EVIDENCE_DOWNLOADED).count() == 1


def test_files_are_kept_across_a_failed_attempt_then_taken_by_the_report(
    file_storage, client, report_page, valid_data, django_capture_on_commit_callbacks
):
    first, hidden = post_report(client, report_page, valid_data, [png("kept.png")], captcha_1="no")
    assert first.status_code == 400
    assert "kept.png" in first.content.decode()
    token = hidden["submission_token"]
    [(file_id, manifest)] = staging.staged(token)
    assert manifest["display_name"] == "kept.png"
    names = file_storage.private_names("staging/")
    assert sorted(name.rsplit("/", 1)[1] for name in names) == [
        f"{file_id}.bin",
        f"{file_id}.json",
    ]

    _, fresh = report_page()
    retry = {
        **valid_data(),
        **fresh,
        "submission_token": token,
        "issued": hidden["issued"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/report/", retry).status_code == 302
    item = Clue.objects.get().evidence.get()
    assert item.sha256 == manifest["sha256"]
    assert staging.staged(token) == []
    assert file_storage.private_names("staging/") == []
    assert file_storage.private_names("evidence/") == [item.file.name]


def test_abandoned_staged_files_are_purged(file_storage):
    processed = evidence.process("photo.png", samples.png_with_text())
    assert staging.stage("a-form-token", processed)
    assert len(file_storage.private_names("staging/")) == 2
    assert staging.purge_abandoned() == 0  # not a day old yet
    assert staging.purge_abandoned(now=time.time() + staging.MAX_AGE_SECONDS + 60) == 2
    assert file_storage.private_names("staging/") == []
    assert staging.staged("a-form-token") == []


def test_erasure_at_the_end_of_retention_deletes_the_objects(file_storage, settings):
    settings.EVIDENCE_KEEP_ORIGINALS = True
    clue = ClueFactory(files=[evidence.process("photo.jpg", samples.jpeg_with_gps())])
    item = clue.evidence.get()
    assert item.original_file.name
    assert file_storage.private_names("evidence/") == sorted(
        [item.file.name, item.original_file.name]
    )
    past = timezone.now() - timedelta(days=settings.CLUE_RETENTION_DAYS + 1)
    Clue.objects.filter(pk=clue.pk).update(status=Clue.Status.CLOSED, closed_at=past)

    counts = retention.erase_due()
    assert (counts.files, counts.missing_files, counts.failed) == (2, 0, 0)
    assert file_storage.private_names("evidence/") == []
    item.refresh_from_db()
    assert (item.file.name, item.original_file.name) == ("", "")


def test_private_files_have_no_address(file_storage):
    storage = storages["private"]
    name = storage.save("evidence/probe.txt", ContentFile(b"secret"))
    try:
        with pytest.raises(ValueError, match="no URL"):
            storage.url(name)
    finally:
        storage.delete(name)
    assert file_storage.private_names("evidence/") == []


def test_a_name_in_use_is_never_overwritten(file_storage):
    storage = storages["private"]
    first = storage.save("evidence/same.bin", ContentFile(b"first"))
    second = storage.save("evidence/same.bin", ContentFile(b"second"))
    assert first != second
    assert stored(file_storage, first) == b"first"
    assert stored(file_storage, second) == b"second"


def test_readyz_writes_and_removes_a_probe(file_storage, client):
    body = client.get("/readyz/").json()
    assert body["status"] == "ok", body
    assert body["checks"]["evidence_storage"] == "ok"
    assert file_storage.private_names("health/") == []


def test_a_missing_private_bucket_degrades_readiness(moto, settings, client, caplog):
    use_buckets(settings, moto, private_bucket="no-such-bucket")
    response = client.get("/readyz/")
    assert response.status_code == 200  # pages and text-only reports still work
    body = response.json()
    assert body["status"] == "degraded"
    assert body["reason"] == "evidence storage full or not writable"
    assert body["checks"]["evidence_storage"] == "failed"
    assert "NoSuchBucket" in caplog.text


def test_a_stopped_endpoint_degrades_readiness_and_refuses_files(
    settings, client, report_page, valid_data
):
    server = MotoServer().start()
    try:
        server.client().create_bucket(Bucket="evidence")
        use_buckets(settings, server, private_bucket="evidence")
        assert client.get("/readyz/").json()["status"] == "ok"
    finally:
        server.stop()
    body = client.get("/readyz/").json()
    assert body["status"] == "degraded"
    assert body["checks"]["evidence_storage"] == "failed"

    # The form's own view finds the bucket away (staging lists it first): the error page of
    # an outage answers, keeping the text to send again (portal.errors, BucketError).
    browser = Client(raise_request_exception=False)
    response, _hidden = post_report(browser, report_page, valid_data, [png()], browser=browser)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "每月有人上门暴力催收" in response.content.decode()
    assert not Clue.objects.exists()


def test_refused_credentials_degrade_readiness(settings, client, caplog):
    # moto checks signatures against its IAM users from the first request on: the test's
    # made-up key is unknown there, as a revoked or mistyped key is to a real store.
    server = MotoServer().start(env={"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    try:
        use_buckets(settings, server, private_bucket="evidence")
        body = client.get("/readyz/").json()
    finally:
        server.stop()
    assert body["status"] == "degraded"
    assert body["reason"] == "evidence storage full or not writable"
    assert body["checks"]["evidence_storage"] == "failed"
    # Refused for the key, not for a missing bucket: the log keeps the store's answer.
    assert "403" in caplog.text and "NoSuchBucket" not in caplog.text
