"""Settings shared by every environment. Deployer-facing values come from the environment;
each one is described in docs/configuration.md and .env.example."""

import ipaddress
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .database import database_settings
from .env import MissingSetting, env, env_bool, env_int, env_list
from .storage import s3_environment, storage_settings

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env("PORTAL_VAR_DIR", BASE_DIR / "var"))

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# The canonical public address, used in QR codes, emails and admin links. It is never
# derived from the request's Host header, which a client controls.
PORTAL_BASE_URL = (env("PORTAL_BASE_URL") or "").rstrip("/")


def check_base_url(url):
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
        raise MissingSetting(
            f"PORTAL_BASE_URL must be an absolute URL like https://example.org, not {url!r}"
        )
    return url


INSTALLED_APPS = [
    "portal",
    "accounts",
    "content",
    "reporting",
    "posters",
    "law",
    "search",
    "transparency",
    "unitapi",
    "rewards",
    "fugitives",
    "quizzes",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.locales",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "captcha",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
]

MIDDLEWARE = [
    "portal.health.HealthCheckMiddleware",
    # Beside the probes, for the same reasons: Prometheus scrapes containers by address.
    "portal.metrics.middleware.MetricsEndpointMiddleware",
    # Above everything that reads the session or the database, and above SecurityMiddleware
    # so that a stored page holds its headers too: portal.wsgi answers hits with the stored
    # headers alone (docs/caching.md). The HTTPS redirect is not stored (not a 200), so a
    # plain-HTTP request still reaches it.
    "portal.pagecache.middleware.PageCacheMiddleware",
    # Below the page cache, which counts its own hits; above everything else, so that a
    # refusal by any middleware below is counted and timed too.
    "portal.metrics.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    # Above XFrameOptionsMiddleware: it reads the X-Frame-Options a view chose.
    "portal.middleware.ContentSecurityPolicyMiddleware",
    # Above everything that may query with what the request carries (the session, views),
    # below the headers so that its 400 page has them too.
    "portal.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, so a staff member whose session ended is told why on the login page.
    "accounts.middleware.StaffSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": database_settings(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        # gunicorn.conf.py sets it for the web server's threads; 0 (no pool) elsewhere.
        pool_size=env_int("DATABASE_POOL_SIZE", 0, minimum=0),
        prepared_statements=env_bool("DATABASE_PREPARED_STATEMENTS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "portal.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")

# Widgets render with the project's template engine, so templates/ can restyle them (the
# captcha's accessible markup lives in templates/captcha/); the plainest ones, while their
# templates are Django's own, are written out in Python with the same markup.
FORM_RENDERER = "portal.formrenderer.FormRenderer"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"
# django-axes first: it refuses a locked-out account or client before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Simplified Chinese first and unprefixed, English under /en/.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language across the site: 2026年12月6日 and 6 December 2026.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# Files: static assets (whitenoise), public media (Wagtail images and documents) and private
# evidence, which lives outside every URL and is only ever streamed by a permission-checked view.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files that must be at the site's root, where browsers and crawlers ask for them whatever a
# page links: /favicon.ico (drawn by scripts/icons.py).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
# Public media and evidence go to S3-compatible buckets when S3_MEDIA_BUCKET and
# S3_PRIVATE_BUCKET are set, each on its own; otherwise to the folders above (docs/storage.md).
S3 = s3_environment()
STORAGES = storage_settings(S3, PRIVATE_MEDIA_ROOT)
if S3["media_bucket"]:
    # Wagtail would otherwise redirect document downloads to the bucket, past its collection
    # permissions; through its view, the addresses stay those of local storage.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The poster PDF's CJK font, embedded as a subset: a TrueType font (.ttf, or a .ttc with the
# face's index), as Debian's fonts-wqy-microhei ships it. posters.checks refuses a missing one.
POSTER_FONT_PATH = env("POSTER_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
POSTER_FONT_INDEX = env_int("POSTER_FONT_INDEX", 0, minimum=0)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Cache and task queue: in-process cache and the database queue on one machine; Redis for both
# once REDIS_URL is set, so web containers stay stateless and RQ workers scale out.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
        },
        "nothing": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Apart from the default cache, so that filling it with pages never pushes out the
        # rate-limit counters kept there.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 2000, minimum=1)},
        },
        # What parts of pages use when nothing may be kept (portal/pagecache/kept.py).
        "nothing": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Whole pages for anonymous readers (portal/pagecache/, docs/caching.md): kept this many
# seconds at most (any publication invalidates them at once; 0 turns the cache off), and
# what browsers and shared caches (a CDN, a caching proxy) are told they may keep.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600, minimum=0)
PAGE_CACHE_BROWSER_SECONDS = env_int("PAGE_CACHE_BROWSER_SECONDS", 60, minimum=0)
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 60, minimum=0)
# With Redis, how long a web process trusts the page generation it last read there: a
# change made by another process (an editor's publication in another worker) reaches this
# one's readers within this many seconds; 0 reads it on every request (docs/caching.md).
PAGE_CACHE_GENERATION_SECONDS = env_int("PAGE_CACHE_GENERATION_SECONDS", 1, minimum=0)
# Parts every page shows (menu, footer), kept until the content changes (docs/caching.md).
PAGE_PARTS_CACHE_SECONDS = env_int("PAGE_PARTS_CACHE_SECONDS", 3600, minimum=0)
# Without Redis each web process keeps its own pages; this file, which any process may
# replace, tells them all when pages changed. It must be on the machine's own disk.
PAGE_CACHE_STAMP = Path(env("PAGE_CACHE_STAMP", VAR_DIR / "page-cache.stamp"))

# Email
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Reporting: the reporter's clocks (EU Directive 2019/1937 defaults) and the keys that
# encrypt named reporters' details (reporting/evidence/crypto.py), newest first.
CLUE_ACKNOWLEDGE_DAYS = env_int("CLUE_ACKNOWLEDGE_DAYS", 7)
# How many proxies in front append to X-Forwarded-For: the client address used, only inside
# an HMAC, for rate limits (in the cache) and login lockouts (accounts.clients). 0 means
# REMOTE_ADDR is the client.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)


def metrics_token(value):
    if value is not None and len(value) < 24:
        raise MissingSetting(
            "METRICS_TOKEN must be at least 24 characters, e.g. from `openssl rand -hex 32`"
        )
    return value


def metrics_networks(values):
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise MissingSetting(
                f"METRICS_ALLOWED_NETWORKS must be comma-separated networks like "
                f"10.0.0.0/8 or 192.0.2.7, not {value!r}"
            ) from None
    return values


# The operators' metrics (/metrics, docs/operations.md): answered to a request bearing this
# token, or coming from one of these networks (the client address as TRUSTED_PROXY_HOPS
# reads it). Neither set: the endpoint is off.
METRICS_TOKEN = metrics_token(env("METRICS_TOKEN"))
METRICS_ALLOWED_NETWORKS = metrics_networks(env_list("METRICS_ALLOWED_NETWORKS"))
CLUE_FEEDBACK_DAYS = env_int("CLUE_FEEDBACK_DAYS", 90)
# A unit acknowledges a transfer within this many days; overdue clues escalate to the parent
# unit's supervisors after the grace period; the worker runs the checks this often.
CLUE_UNIT_ACKNOWLEDGE_DAYS = env_int("CLUE_UNIT_ACKNOWLEDGE_DAYS", 3)
CLUE_ESCALATION_GRACE_DAYS = env_int("CLUE_ESCALATION_GRACE_DAYS", 3)
PERIODIC_CHECK_MINUTES = env_int("PERIODIC_CHECK_MINUTES", 15)
# A reporter who asks for protection is answered within this many days (docs/protection.md).
PROTECTION_RESPONSE_DAYS = env_int("PROTECTION_RESPONSE_DAYS", 3, minimum=1)
# The public statistics page: figures drawn from fewer clues than this are not shown; the
# worker recomputes them when they are older than this many minutes.
PUBLIC_STATISTICS_MIN_COUNT = env_int("PUBLIC_STATISTICS_MIN_COUNT", 5)
PUBLIC_STATISTICS_REFRESH_MINUTES = env_int("PUBLIC_STATISTICS_REFRESH_MINUTES", 60)
# The supervisors' statistics of the standard periods: the worker recounts stored ones older
# than this (reporting/jobs/statistics_snapshots.py); the page counts live when they are much
# older.
STATISTICS_SNAPSHOT_MINUTES = env_int("STATISTICS_SNAPSHOT_MINUTES", 10, minimum=1)
REPORTER_ENCRYPTION_KEYS = env_list("REPORTER_ENCRYPTION_KEYS")
# Forwarding transfers to units' systems: attempts, and the first wait (doubling each time:
# 1, 2, 4 ... minutes; eight attempts span about four hours).
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_FIRST_RETRY_SECONDS = env_int("WEBHOOK_FIRST_RETRY_SECONDS", 60)
WEBHOOK_TIMEOUT_SECONDS = 10
# Supervisors are warned once when a delivery has failed this many times (0: never), before
# the retries run out; and told again only if it fails for good.
WEBHOOK_ALERT_AFTER_ATTEMPTS = env_int("WEBHOOK_ALERT_AFTER_ATTEMPTS", 3)
# How long a worker holds a delivery it is sending; after a worker is killed mid-send, the
# periodic job sends it again once this has run out. Well above WEBHOOK_TIMEOUT_SECONDS.
WEBHOOK_CLAIM_SECONDS = env_int("WEBHOOK_CLAIM_SECONDS", 120)
# The units' API (docs/forwarding.md): calls a key may make a minute (counted in the default
# cache, so shared by every worker once REDIS_URL is set), the largest request body it takes,
# and how long the first answer to a write is kept for a retry with the same Idempotency-Key.
UNIT_API_REQUESTS_PER_MINUTE = env_int("UNIT_API_REQUESTS_PER_MINUTE", 600, minimum=1)
UNIT_API_MAX_BODY_BYTES = env_int("UNIT_API_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
UNIT_API_IDEMPOTENCY_HOURS = env_int("UNIT_API_IDEMPOTENCY_HOURS", 24, minimum=1)
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_MB", 20) * 1024 * 1024
EVIDENCE_MAX_TOTAL_BYTES = env_int("EVIDENCE_MAX_TOTAL_MB", 100) * 1024 * 1024
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 10)
# Keep the unstripped upload too (encrypted), for cases where evidence integrity needs it.
EVIDENCE_KEEP_ORIGINALS = env_bool("EVIDENCE_KEEP_ORIGINALS", False)
# Spam and abuse on the report form (docs/security.md#spam-and-abuse): reports a client
# address may send per window; the fewest seconds between opening the form and sending it (a
# script is faster); the hours a form stays sendable. Load tests and drills raise them.
REPORT_RATE_LIMIT = env_int("REPORT_RATE_LIMIT", 10, minimum=1)
REPORT_RATE_WINDOW_MINUTES = env_int("REPORT_RATE_WINDOW_MINUTES", 60, minimum=1)
# Quiz attempts one client may start per window: generous, because a school or a market
# often reaches the portal through one address (docs/quizzes.md).
QUIZ_START_LIMIT = env_int("QUIZ_START_LIMIT", 300, minimum=1)
QUIZ_START_WINDOW_MINUTES = env_int("QUIZ_START_WINDOW_MINUTES", 10, minimum=1)
REPORT_MIN_SECONDS = env_int("REPORT_MIN_SECONDS", 5, minimum=0)
REPORT_FORM_MAX_AGE_HOURS = env_int("REPORT_FORM_MAX_AGE_HOURS", 24, minimum=1)
# Days after a clue is closed (or not accepted) before the reporter's identity, the messages
# and the evidence files are erased (reporting/jobs/retention.py); the privacy notice shows it.
CLUE_RETENTION_DAYS = env_int("CLUE_RETENTION_DAYS", 730, minimum=1)
# Rewards for reporters (docs/rewards.md): the conclusion outcomes that qualify a clue, the
# days after its conclusion stood within which the reporter may claim, the days staff have to
# assess a claim, and how a reward may be paid (in_person, bank_transfer).
REWARD_QUALIFYING_OUTCOMES = env_list(
    "REWARD_QUALIFYING_OUTCOMES", ["criminal_case", "administrative_case", "discipline"]
)
REWARD_CLAIM_WINDOW_DAYS = env_int("REWARD_CLAIM_WINDOW_DAYS", 180, minimum=1)
REWARD_ASSESSMENT_DAYS = env_int("REWARD_ASSESSMENT_DAYS", 30, minimum=1)
# After an assessment is overdue, this many more days before the unit above is told.
REWARD_ESCALATION_GRACE_DAYS = env_int("REWARD_ESCALATION_GRACE_DAYS", 30, minimum=1)
# Wanted notices (docs/fugitives.md): days after a person is caught, surrenders or dies, or
# the notice is withdrawn, before the periodic job removes the photos and identity details.
FUGITIVE_DETAILS_WITHDRAWAL_DAYS = env_int("FUGITIVE_DETAILS_WITHDRAWAL_DAYS", 30, minimum=0)
REWARD_PAYMENT_METHODS = env_list("REWARD_PAYMENT_METHODS", ["in_person", "bank_transfer"])
CAPTCHA_TIMEOUT = 10  # minutes; a frightened reporter writes slowly
CAPTCHA_LENGTH = 4
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
CAPTCHA_IMAGE_SIZE = (120, 48)
CAPTCHA_FONT_SIZE = 32
# Audio captcha: espeak-ng's Mandarin voice through a flite-compatible wrapper, when the
# machine has it (scripts/test, .ci/run and the Docker image install it). Without it the form
# says audio is unavailable.
CAPTCHA_FLITE_PATH = (
    str(BASE_DIR / "reporting/bin/flite-espeak") if shutil.which("espeak-ng") else None
)
CAPTCHA_SOX_PATH = shutil.which("sox")

# Wagtail
WAGTAIL_SITE_NAME = "反有组织犯罪法治宣传与线索举报平台"
# A Chinese title would otherwise become a Chinese slug, which browsers and shared links show
# percent-encoded (/%E5%AE%A3%E4%BC%A0/). Editors type a short ASCII slug, or one is made from
# the page type and date (portal.slugs).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILIMAGES_IMAGE_MODEL = "content.PortalImage"
# Wagtail's database backend; search.backend only weights titles above bodies on SQLite.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backend"}}
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
# mp4 and webm: videos for stories and news are uploaded here, never embedded from elsewhere.
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "mp4", "odt", "pdf", "pptx", "rtf", "txt", "webm", "xlsx"]
# Staff avatars would otherwise be fetched from gravatar.com, telling a third party who the
# reviewers are and when they work.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Staff accounts (accounts/, docs/security.md). Every account is staff (citizens never have
# one), and every account needs a second factor: an authenticator app, with recovery codes.
# Only development settings may turn this off; production.py pins it on, and a system check
# refuses it off outside DEBUG.
TWO_FACTOR_REQUIRED = True
# The name the authenticator app shows beside the code. A phone may be seized: a deployer can
# choose a name that does not say what the account is for.
OTP_TOTP_ISSUER = env("TWO_FACTOR_ISSUER", WAGTAIL_SITE_NAME)
# Wrong codes make the next attempt wait 1, 2, 4, 8 ... seconds (per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# A staff session ends after this many minutes without a request, and when the browser closes.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
# Failed sign-ins (accounts.lockout): three counts, each with its limit, within
# LOGIN_LOCKOUT_MINUTES: an account at one client, an account from everywhere (each client
# counting at most LOGIN_FAILURE_LIMIT, so one client alone cannot lock an account out
# everywhere) and a client for any accounts. "The client" is a keyed hash of its address
# (accounts.clients): no address is stored.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
LOGIN_CLIENT_FAILURE_LIMIT = env_int("LOGIN_CLIENT_FAILURE_LIMIT", 10, minimum=1)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
# The handler's number is how many of the three limits are reached: one is enough.
AXES_FAILURE_LIMIT = 1
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# The rows a success clears: that account's at that client.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.clients.client_pseudonym"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Refused attempts are not counted: someone who keeps trying does not lengthen the wait or fill
# the count of others behind the same address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only the running count of failures is kept, and only until the lockout time has passed: no
# log of every sign-in, and no Django admin (the portal has none).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ENABLE_ADMIN = False
# Masked in the few request fields django-axes keeps with a failure.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "csrfmiddlewaretoken", "next"]
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.LoginForm"
# A forgotten password: the mail goes through the worker, and asking is limited per address
# and per client within the window (accounts.passwords); past a limit the answer is the same.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "accounts.forms.PasswordResetForm"  # nosec B105 # noqa: S105  (a class path, not a password)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_CLIENT = env_int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)

# Security defaults for every environment; production.py tightens transport settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Database sessions that a reporter's page can end with the browser and, on the server, when
# its unlock does (portal/sessions.py); staff sessions keep accounts.sessions' rules.
SESSION_ENGINE = "portal.sessions"
# The CSRF cookie ends with the browser: one that lasts a year would tell whoever holds the
# device that it opened the report form. The admin loses nothing, its session ends there too.
CSRF_COOKIE_AGE = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "portal.logging.RedactAddresses"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; its start-up and success lines are not.
        "axes": {"level": "WARNING"},
    },
}
