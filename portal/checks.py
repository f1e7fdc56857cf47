from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .settings.storage import ENCRYPTIONS

STORAGE_DOCS = "See docs/storage.md."


_CREDENTIALS = ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
_KEYS = {
    "S3_MEDIA_BUCKET": "media_bucket",
    "S3_PRIVATE_BUCKET": "private_bucket",
    "S3_ACCESS_KEY_ID": "access_key",
    "S3_SECRET_ACCESS_KEY": "secret_key",  # nosec B105 (a settings key, not a secret)
    "S3_ENDPOINT_URL": "endpoint_url",
}


@register()
def private_media_is_not_public(app_configs, **kwargs):
    """Evidence must never be reachable through MEDIA_URL or STATIC_URL. Only a folder can
    overlap one: evidence in a bucket is checked by s3_is_fully_configured."""
    if getattr(settings, "S3", {}).get("private_bucket"):
        return []
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}).",
                    hint="Put private evidence in a folder outside every public file area.",
                    id="portal.E001",
                )
            )
    return errors


def _endpoint_problem(url):
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        return str(error)
    if parts.scheme not in {"http", "https"}:
        return "it must start with https:// or http://"
    if not parts.hostname:
        return "it names no host"
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return "it must be the server's address alone, without a path (the bucket is named apart)"
    return None


@register()
def s3_is_fully_configured(app_configs, **kwargs):
    """A half-configured bucket would otherwise be found by the first upload, a reporter's."""
    s3 = getattr(settings, "S3", None)
    if not s3:
        return []
    buckets = [name for name in ("S3_MEDIA_BUCKET", "S3_PRIVATE_BUCKET") if s3[_KEYS[name]]]
    problems = []
    if buckets:
        missing = [name for name in _CREDENTIALS if not s3[_KEYS[name]]]
        if missing:
            problems.append(
                Error(
                    f"{' and '.join(buckets)} set, but {' and '.join(missing)} not.",
                    hint="Give both the access key's id and its secret. " + STORAGE_DOCS,
                    id="portal.E002",
                )
            )
    else:
        given = [name for name in (*_CREDENTIALS, "S3_ENDPOINT_URL") if s3[_KEYS[name]]]
        if given:
            problems.append(
                Warning(
                    f"{' and '.join(given)} set, but no bucket: files stay in local folders.",
                    hint="Set S3_MEDIA_BUCKET and/or S3_PRIVATE_BUCKET. " + STORAGE_DOCS,
                    id="portal.W001",
                )
            )
    if s3["endpoint_url"] and (problem := _endpoint_problem(s3["endpoint_url"])):
        problems.append(
            Error(
                f"S3_ENDPOINT_URL {s3['endpoint_url']!r} is not an endpoint address: {problem}.",
                hint="For example http://minio:9000, or leave it unset for AWS. " + STORAGE_DOCS,
                id="portal.E003",
            )
        )
    if s3["private_encryption"] not in ENCRYPTIONS:
        problems.append(
            Error(
                f"S3_PRIVATE_ENCRYPTION {s3['private_encryption']!r} is not one of "
                f"{', '.join(ENCRYPTIONS)}.",
                hint="Evidence objects are always written with server-side encryption. "
                + STORAGE_DOCS,
                id="portal.E004",
            )
        )
    elif s3["private_kms_key_id"] and s3["private_encryption"] != "aws:kms":
        problems.append(
            Error(
                "S3_PRIVATE_KMS_KEY_ID set, but S3_PRIVATE_ENCRYPTION is not aws:kms.",
                hint="Set S3_PRIVATE_ENCRYPTION=aws:kms to encrypt with that key. " + STORAGE_DOCS,
                id="portal.E005",
            )
        )
    if s3["private_bucket"] and s3["private_bucket"] == s3["media_bucket"]:
        problems.append(
            Error(
                "S3_PRIVATE_BUCKET and S3_MEDIA_BUCKET name the same bucket.",
                hint="Public media is read by anyone; evidence needs a bucket of its own that "
                "is never public. " + STORAGE_DOCS,
                id="portal.E006",
            )
        )
    return problems
