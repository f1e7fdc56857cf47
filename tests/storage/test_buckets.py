"""What only a bucket can get wrong: a multipart upload cut short, the encryption asked for,
public media addresses, and settings that name half a bucket."""

import io
import threading
import urllib.request
import uuid

from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from boto3.s3.transfer import TransferConfig

from portal.buckets import BucketError, PrivateS3Storage
from portal.storage import media_origin
from tests.reporting import samples
from tests.storage.s3 import use_buckets

MB = 1024 * 1024
# S3's smallest part but the last: uploads above it go in parts (the default is 8 MB).
SMALL_PARTS = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB)


class BreaksAfter(io.RawIOBase):
    """A file of `size` bytes whose reads fail once `good` bytes were read: a client that
    goes away, a disk that fails under the upload."""

    def __init__(self, size, good):
        self.size, self.good, self.position = size, good, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def read(self, count=-1):
        if count is None or count < 0:
            count = self.size - self.position
        count = min(count, self.size - self.position)
        if self.position + count > self.good:
            raise OSError("the upload broke off")
        self.position += count
        return b"x" * count


def fresh_bucket(moto):
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    moto.client().create_bucket(Bucket=name)
    return name


def bucket_storage(moto, bucket, **options):
    connection = {
        key: value
        for key, value in moto.s3_settings().items()
        if key in {"endpoint_url", "region_name", "access_key", "secret_key"}
    }
    return PrivateS3Storage(
        **{
            **connection,
            "bucket_name": bucket,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            **options,
        }
    )


def left_in(moto, bucket):
    client = moto.client()
    objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return [entry["Key"] for entry in objects], [entry["Key"] for entry in uploads]


def test_an_upload_in_parts_that_breaks_off_leaves_nothing(moto):
    bucket = fresh_bucket(moto)
    storage = bucket_storage(moto, bucket, transfer_config=SMALL_PARTS)
    # The same storage does write in parts when nothing fails: three parts for 12 MB.
    name = storage.save("evidence/whole.bin", File(BreaksAfter(12 * MB, 12 * MB)))
    head = moto.client().head_object(Bucket=bucket, Key=name)
    assert head["ETag"].endswith('-3"')
    assert head["ServerSideEncryption"] == "AES256"
    storage.delete(name)

    broken = BreaksAfter(12 * MB, 7 * MB)  # the first part is sent, the second never is
    with pytest.raises(OSError, match="broke off"):
        storage.save("evidence/broken.bin", File(broken))
    assert broken.position == 5 * MB
    assert left_in(moto, bucket) == ([], [])


def test_a_single_upload_that_breaks_off_leaves_nothing(moto):
    bucket = fresh_bucket(moto)
    storage = bucket_storage(moto, bucket)
    with pytest.raises(OSError, match="broke off"):
        storage.save("evidence/broken.bin", File(BreaksAfter(3 * MB, MB)))
    assert left_in(moto, bucket) == ([], [])


def test_a_bucket_that_refuses_is_an_os_error(moto):
    storage = bucket_storage(moto, "no-such-bucket")
    with pytest.raises(BucketError, match="NoSuchBucket"):
        storage.save("evidence/a.bin", io.BytesIO(b"a"))
    with pytest.raises(FileNotFoundError):
        bucket_storage(moto, fresh_bucket(moto)).open("evidence/none.bin")


def test_evidence_can_be_encrypted_with_a_kms_key(moto, settings):
    bucket = fresh_bucket(moto)
    key_id = "arn:aws:kms:us-east-1:123456789012:key/portal-evidence"
    use_buckets(
        settings,
        moto,
        private_bucket=bucket,
        private_encryption="aws:kms",
        private_kms_key_id=key_id,
    )
    name = storages["private"].save("evidence/a.bin", io.BytesIO(b"evidence"))
    head = moto.client().head_object(Bucket=bucket, Key=name)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_id
    with storages["private"].open(name) as handle:
        assert handle.read() == b"evidence"


@pytest.mark.django_db
def test_a_wagtail_image_goes_to_the_media_bucket_with_a_plain_address(file_storage, admin_client):
    picture = samples.png_with_text()
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "海报",
            "file": SimpleUploadedFile("poster.png", picture, content_type="image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    image = get_image_model().objects.get()
    rendition = image.get_rendition("width-100")
    if not file_storage.s3:
        assert image.file.url == f"/media/{image.file.name}"
        return
    keys = file_storage.keys(file_storage.media)
    assert image.file.name in keys and rendition.file.name in keys
    assert file_storage.private_names() == []
    # Plain addresses anyone may fetch: no signature, no expiry.
    prefix = f"{file_storage.server.url}/{file_storage.media}/"
    for url in (image.file.url, rendition.url):
        assert url.startswith(prefix) and "?" not in url
    with urllib.request.urlopen(image.file.url) as answer:  # noqa: S310 (the test's own server)
        assert answer.read() == picture
    # Pages allow images from there, and from nowhere else.
    policy = admin_client.get("/").headers["Content-Security-Policy"]
    assert f"img-src 'self' {file_storage.server.url};" in policy


@pytest.mark.django_db
def test_media_addresses_use_the_custom_domain(moto, settings, client, site_tree):
    use_buckets(
        settings, moto, media_bucket=fresh_bucket(moto), media_custom_domain="media.example.org"
    )
    name = storages["default"].save("original_images/a.png", io.BytesIO(b"png"))
    assert storages["default"].url(name) == f"https://media.example.org/{name}"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' https://media.example.org;" in policy
    assert "media-src 'self' https://media.example.org;" in policy


def test_evidence_is_never_written_with_a_public_acl(moto):
    bucket = fresh_bucket(moto)
    for options in ({"default_acl": "public-read"}, {"object_parameters": {"ACL": "public-read"}}):
        storage = bucket_storage(moto, bucket, **options)
        with pytest.raises(ValueError, match="public ACL"):
            storage.save("evidence/a.bin", io.BytesIO(b"a"))
    assert left_in(moto, bucket) == ([], [])


def test_a_custom_domain_may_carry_the_proxys_path(moto, settings):
    """As compose.yaml sets it: the portal's own host, media under its proxy's /media/."""
    use_buckets(
        settings,
        moto,
        media_bucket=fresh_bucket(moto),
        media_custom_domain="portal.example.org/media",
    )
    url = storages["default"].url("original_images/a.png")
    assert url == "https://portal.example.org/media/original_images/a.png"
    assert media_origin() == "https://portal.example.org"


def test_threads_get_resources_of_their_own_from_one_session(moto):
    """A worker's threads each use a resource of their own (boto3's rule), all made from one
    session, whose S3 models are loaded once: a session per thread cost 13 MB each."""
    storage = bucket_storage(moto, fresh_bucket(moto))
    resources = {}

    def use(number):
        storage.save(f"thread-{number}.txt", ContentFile(b"x"))
        resources[number] = (storage.connection, storage.unsigned_connection)

    threads = [threading.Thread(target=use, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    signed = {id(pair[0]) for pair in resources.values()}
    unsigned = {id(pair[1]) for pair in resources.values()}
    assert len(resources) == len(signed) == len(unsigned) == 6
    loaders = {id(pair[0].meta.client._loader) for pair in resources.values()}
    loaders |= {id(pair[1].meta.client._loader) for pair in resources.values()}
    assert len(loaders) == 1
    assert sorted(left_in(moto, storage.bucket_name)[0]) == [f"thread-{n}.txt" for n in range(6)]
