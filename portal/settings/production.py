"""Production: refuses to start without the secrets and addresses a deployer must choose."""

from urllib.parse import urlsplit

from django.http.request import validate_host

from cryptography.fernet import Fernet

from .base import *  # noqa: F403
from .base import check_base_url, env, env_bool, env_int
from .env import MissingSetting, require

SECRET_KEY = require("SECRET_KEY", "a long random string, e.g. from `openssl rand -base64 48`")
ALLOWED_HOSTS = [
    host.strip()
    for host in require("ALLOWED_HOSTS", "comma-separated host names").split(",")
    if host.strip()
]
PORTAL_BASE_URL = check_base_url(
    require("PORTAL_BASE_URL", "the public address, e.g. https://portal.example.org").rstrip("/")
)
if urlsplit(PORTAL_BASE_URL).scheme != "https" and env_bool("SECURE_SSL_REDIRECT", True):
    raise MissingSetting(
        "PORTAL_BASE_URL must start with https:// (QR codes and emails carry it), "
        "unless SECURE_SSL_REDIRECT=false for a trial without TLS"
    )
if not validate_host(urlsplit(PORTAL_BASE_URL).hostname, ALLOWED_HOSTS):
    raise MissingSetting("PORTAL_BASE_URL's host name must be one of ALLOWED_HOSTS")
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
REPORTER_ENCRYPTION_KEYS = [
    key.strip()
    for key in require(
        "REPORTER_ENCRYPTION_KEYS",
        "one or more Fernet keys, newest first (see docs/configuration.md)",
    ).split(",")
    if key.strip()
]
for _key in REPORTER_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise MissingSetting(
            "REPORTER_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes)"
        ) from None
CSRF_TRUSTED_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(PORTAL_BASE_URL))]

# Every staff account signs in with a second factor; there is no switch (docs/security.md).
TWO_FACTOR_REQUIRED = True

# Production runs behind one TLS-terminating proxy (docs/deployment.md).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1)

# Transport security. TLS ends at the proxy in front, which must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405
