"""Where files live: local folders by default, S3-compatible buckets when named (docs/storage.md).

The raw S3_* values are kept in settings as they were given, so that a system check
(portal.checks) can name what is half configured instead of failing at the first upload.
"""

from .env import env

ENCRYPTIONS = ("AES256", "aws:kms")


def s3_environment():
    return {
        "endpoint_url": env("S3_ENDPOINT_URL"),
        "region_name": env("S3_REGION_NAME", "us-east-1"),
        "access_key": env("S3_ACCESS_KEY_ID"),
        "secret_key": env("S3_SECRET_ACCESS_KEY"),
        "media_bucket": env("S3_MEDIA_BUCKET"),
        "private_bucket": env("S3_PRIVATE_BUCKET"),
        "media_custom_domain": env("S3_MEDIA_CUSTOM_DOMAIN"),
        "private_encryption": env("S3_PRIVATE_ENCRYPTION", "AES256"),
        "private_kms_key_id": env("S3_PRIVATE_KMS_KEY_ID"),
    }


def _connection(s3):
    return {
        "endpoint_url": s3["endpoint_url"],
        "region_name": s3["region_name"],
        "access_key": s3["access_key"],
        "secret_key": s3["secret_key"],
    }


def storage_settings(s3, private_root):
    """Django's STORAGES for these S3 values; without a bucket name, the local folders."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "portal.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": private_root},
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    if s3["media_bucket"]:
        storages["default"] = {
            "BACKEND": "portal.buckets.PublicS3Storage",
            "OPTIONS": {
                **_connection(s3),
                "bucket_name": s3["media_bucket"],
                "custom_domain": s3["media_custom_domain"],
            },
        }
    if s3["private_bucket"]:
        parameters = {"ServerSideEncryption": s3["private_encryption"]}
        if s3["private_kms_key_id"]:
            parameters["SSEKMSKeyId"] = s3["private_kms_key_id"]
        storages["private"] = {
            "BACKEND": "portal.buckets.PrivateS3Storage",
            "OPTIONS": {
                **_connection(s3),
                "bucket_name": s3["private_bucket"],
                "object_parameters": parameters,
            },
        }
    return storages
