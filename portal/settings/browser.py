"""The server the browser suite (tests/browser) drives: a real gunicorn on 127.0.0.1 with its
own SQLite file and file area, chosen by the suite through DATABASE_URL, PORTAL_VAR_DIR and
PORTAL_BASE_URL. Closer to production than development: DEBUG off, so pages are the ones
citizens get (error pages included), and the second factor is asked for."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES, check_base_url, env

SECRET_KEY = "browser-tests-only-key-not-secret-0123456789abcdefghijklmnopqrstuv"  # nosec B105 # noqa: S105 (tests only)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PORTAL_BASE_URL = check_base_url((env("PORTAL_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"))
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
# The same fixed test key as portal.settings.test; never used outside tests.
REPORTER_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY="]
# Fast hashing: the suite signs staff in through the real form many times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SERVE_MEDIA = True
TWO_FACTOR_REQUIRED = True

# Assets straight from the source folders, as in development: no collectstatic per run.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

# The spam limits (docs/security.md#spam-and-abuse) are documented settings: a browser fills
# the form faster than a person and sends many reports from one address.
REPORT_MIN_SECONDS = 0
REPORT_RATE_LIMIT = 10_000
