"""The S3_* variables: what each selects, and the system check that names what is missing."""

import pytest

from portal.checks import private_media_is_not_public, s3_is_fully_configured
from portal.settings.storage import storage_settings
from tests.portal.test_settings import PRODUCTION_ENV

FULL = {
    "endpoint_url": "http://minio:9000",
    "region_name": "us-east-1",
    "access_key": "portal",
    "secret_key": "a-secret",
    "media_bucket": "media",
    "private_bucket": "evidence",
    "media_custom_domain": None,
    "private_encryption": "AES256",
    "private_kms_key_id": None,
}
NONE = {**FULL, "endpoint_url": None, "access_key": None, "secret_key": None}
NONE.update(media_bucket=None, private_bucket=None)


def problems(settings, **changes):
    settings.S3 = {**FULL, **changes}
    return [(problem.id, problem.msg) for problem in s3_is_fully_configured(None)]


def test_without_a_bucket_files_stay_in_folders(tmp_path):
    configured = storage_settings(NONE, tmp_path)
    assert configured["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert configured["private"] == {
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }


def test_each_bucket_is_chosen_on_its_own(tmp_path):
    only_evidence = storage_settings({**FULL, "media_bucket": None}, tmp_path)
    assert only_evidence["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert only_evidence["private"]["BACKEND"] == "portal.buckets.PrivateS3Storage"
    assert only_evidence["private"]["OPTIONS"]["object_parameters"] == {
        "ServerSideEncryption": "AES256"
    }
    only_media = storage_settings({**FULL, "private_bucket": None}, tmp_path)
    assert only_media["default"]["BACKEND"] == "portal.buckets.PublicS3Storage"
    assert only_media["private"]["BACKEND"] == "portal.storage.PrivateFileSystemStorage"


def test_a_full_configuration_passes(settings):
    assert problems(settings) == []
    assert problems(settings, **{**NONE}) == []
    assert problems(settings, private_encryption="aws:kms", private_kms_key_id="key") == []


@pytest.mark.parametrize(
    ("changes", "problem", "message"),
    [
        ({"access_key": None, "secret_key": None}, "portal.E002", "S3_ACCESS_KEY_ID and"),
        ({"secret_key": None}, "portal.E002", "but S3_SECRET_ACCESS_KEY not"),
        ({"media_bucket": None, "private_bucket": None}, "portal.W001", "but no bucket"),
        ({"endpoint_url": "minio:9000"}, "portal.E003", "https:// or http://"),
        ({"endpoint_url": "http://minio:90x0"}, "portal.E003", "Port could not be cast"),
        ({"endpoint_url": "http://minio:9000/evidence"}, "portal.E003", "without a path"),
        ({"endpoint_url": "https://"}, "portal.E003", "names no host"),
        ({"private_encryption": "none"}, "portal.E004", "is not one of AES256, aws:kms"),
        ({"private_kms_key_id": "key"}, "portal.E005", "is not aws:kms"),
        ({"media_bucket": "evidence"}, "portal.E006", "name the same bucket"),
    ],
)
def test_half_a_configuration_is_named(settings, changes, problem, message):
    [(found, text)] = problems(settings, **changes)
    assert found == problem
    assert message in text


def test_the_folder_overlap_check_is_for_folders_only(settings):
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT
    settings.S3 = NONE
    assert [error.id for error in private_media_is_not_public(None)] == ["portal.E001"]
    settings.S3 = FULL
    assert private_media_is_not_public(None) == []


DEPLOY_CHECK = (
    "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']; "
    "import runpy; runpy.run_path('manage.py', run_name='__main__')"
)
S3_ENV = {
    "S3_ENDPOINT_URL": "http://minio:9000",
    "S3_ACCESS_KEY_ID": "portal",
    "S3_SECRET_ACCESS_KEY": "a-secret-key",
    "S3_MEDIA_BUCKET": "portal-media",
    "S3_PRIVATE_BUCKET": "portal-evidence",
    "S3_MEDIA_CUSTOM_DOMAIN": "media.example.org",
}


def test_production_deploy_check_is_silent_with_buckets(run_django):
    """No network: the check reads settings, it does not reach the endpoint."""
    result = run_django(
        DEPLOY_CHECK,
        {
            **PRODUCTION_ENV,
            **S3_ENV,
            "DATABASE_URL": "sqlite:////tmp/portal-deploy-check-s3.sqlite3",
        },
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_deploy_check_names_a_bucket_without_credentials(run_django):
    env = {k: v for k, v in S3_ENV.items() if not k.startswith("S3_SECRET")}
    result = run_django(
        DEPLOY_CHECK,
        {**PRODUCTION_ENV, **env, "DATABASE_URL": "sqlite:////tmp/portal-deploy-check-s3.sqlite3"},
        settings_module="portal.settings.production",
    )
    assert result.returncode != 0
    assert (
        "portal.E002) S3_MEDIA_BUCKET and S3_PRIVATE_BUCKET set, but S3_SECRET_ACCESS_KEY not."
        in result.stderr
    )
