"""Settings of the anchor project: as little as Django needs, as production would run it."""

import os

import dj_database_url

# The portal's pool options themselves, so the two sides cannot drift apart (the module reads no
# setting and imports nothing of the portal's apps).
from portal.settings.database import pool_options

SECRET_KEY = "anchor-benchmark-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.anchor.urls"
INSTALLED_APPS = ["django.contrib.sessions", "captcha", "benchmarks.anchor"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.csrf"]},
    }
]
# The same connections as the portal's web server: a pool per worker when gunicorn.conf.py
# sets DATABASE_POOL_SIZE (Django's own pool, checked when handed out), else one kept per thread.
# Not the portal's prepared statements (DATABASE_PREPARED_STATEMENTS): the bare form binds as
# Django does by default, so what the portal gains by them shows in its ratio.
_pool_size = int(os.environ.get("DATABASE_POOL_SIZE") or 0)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("ANCHOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_anchor"),
        conn_max_age=0 if _pool_size else 600,
        conn_health_checks=bool(_pool_size),
    )
}
if _pool_size:
    DATABASES["default"]["OPTIONS"] = {"pool": pool_options(_pool_size)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
