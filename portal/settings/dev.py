"""Local development: the README's first command runs with these settings."""

import base64
import os
import secrets

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES, VAR_DIR, check_base_url, env, env_bool, env_list
from .devsecrets import load_or_create

DEBUG = True

# Generated on first run into var/ (ignored by git) and reused afterwards.
_secrets = load_or_create(
    VAR_DIR / "dev-secrets.env",
    {
        "SECRET_KEY": lambda: secrets.token_urlsafe(48),
        "REPORTER_ENCRYPTION_KEYS": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
    },
)
SECRET_KEY = env("SECRET_KEY") or _secrets["SECRET_KEY"]
REPORTER_ENCRYPTION_KEYS = env_list(
    "REPORTER_ENCRYPTION_KEYS", [_secrets["REPORTER_ENCRYPTION_KEYS"]]
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
PORTAL_BASE_URL = check_base_url((env("PORTAL_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"))
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
SERVE_MEDIA = True
# The one switch for the second factor, for exploring the demo without an authenticator app
# (docs/security.md). On by default; the demo accounts' codes: `manage.py demo_code`.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Whitenoise serves from STATIC_ROOT and warns when it is missing; runserver serves the
# source folders directly, so an empty folder is enough in development.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
