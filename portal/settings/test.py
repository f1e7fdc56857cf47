"""Settings for the test suite (pytest-django). DATABASE_URL picks SQLite or PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PORTAL_BASE_URL = "https://portal.example.test"
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
# A fixed test key (Fernet format) so encrypted rows written by one test process can be read
# by another; never used outside tests.
REPORTER_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Every test process gets its own file area; tests/conftest.py removes it at exit.
TEST_FILES_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-"))
MEDIA_ROOT = TEST_FILES_ROOT / "media"
PRIVATE_MEDIA_ROOT = TEST_FILES_ROOT / "private"
STATIC_ROOT = TEST_FILES_ROOT / "static"
STATIC_ROOT.mkdir()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING["loggers"]["wagtail"] = {"level": "WARNING"}  # noqa: F405
