"""Settings for the test suite (pytest-django). DATABASE_URL picks SQLite or PostgreSQL."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # nosec B105 # noqa: S105 (tests only)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PORTAL_BASE_URL = "https://portal.example.test"
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
# A fixed test key (Fernet format) so encrypted rows written by one test process can be read
# by another; never used outside tests.
REPORTER_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Every test process gets its own file area, created only when a file is written, and
# removed by tests/conftest.py at exit. A server a test starts (tests/unitapi) is given the
# test's own, to read the files the test wrote.
TEST_FILES_ROOT = Path(
    os.environ.get("PORTAL_TEST_FILES_ROOT")
    or Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}"
)
MEDIA_ROOT = TEST_FILES_ROOT / "media"
PRIVATE_MEDIA_ROOT = TEST_FILES_ROOT / "private"
# A test of two processes names one stamp for both.
PAGE_CACHE_STAMP = Path(os.environ.get("PAGE_CACHE_STAMP") or TEST_FILES_ROOT / "page-cache.stamp")
# Whitenoise warns when STATIC_ROOT is missing; one fixed, git-ignored folder serves every run.
STATIC_ROOT = BASE_DIR / "var" / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING["loggers"]["wagtail"] = {"level": "WARNING"}  # noqa: F405

# A test-only page type for the search tests (tests/search/pages).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.search.pages"]  # noqa: F405
