"""Whole responses for anonymous readers, served from a cache without touching the database
(docs/caching.md).

A page is stored once rendered for a reader who sent no session or messages cookie, when the
response is the same for everyone: a 200 that sets no cookie, does not vary on cookies, did
not use a CSRF token and was not marked private or uncacheable by its view. Everything a
staff member, a reporter or a preview sees is rendered afresh and marked private.

Invalidation is one "generation" token for the whole site: publishing, unpublishing, moving
or deleting a page, saving a snippet, a setting, a site, a locale, an image or a document
changes it (portal/apps.py connects the signals), and every entry stored under an older
token is a miss from then on. With Redis the token lives beside the pages, one round trip
reads both; with the in-process cache each web process has its own pages, so the token is
a small file that every process on the machine stats, and any process (the web worker that
published, the task worker that refreshed the statistics, a cron job) can change.
"""

import functools
import gzip
import hashlib
import logging
import os
import secrets
import time
from functools import cached_property
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date, parse_http_date_safe

import brotli

from . import restrictions

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "generation"
# Query parameters of the site's own listings (pages, filters). A URL with any other
# parameter is rendered but not stored: the cache cannot be filled with endless variants, and
# what a citizen searched for (?q=) or the poster they came from (?entry=) is never kept.
QUERY_PARAMETERS = frozenset({"page", "tag", "region", "year", "kind"})
MAX_QUERY_LENGTH = 200
# Headers that are about this one exchange, not the page.
NOT_STORED = frozenset({"set-cookie", "date", "age"})
# Headers that differ between the stored body and its compressed forms.
PER_BODY = frozenset({"etag", "content-length", "content-encoding"})
# Cache-Control directives by which a view says its response is for this reader only.
PERSONAL_DIRECTIVES = ("private", "no-store", "no-cache")
# A stored page is also kept compressed, once, when it is stored: a reader on a slow mobile
# connection gets about a quarter of the bytes, and a hit costs no compression. Only these
# pages: they hold no secret (no CSRF token, nothing personal), so compression cannot leak
# one (BREACH). Smaller bodies gain less than the header costs. Preferred first.
COMPRESSORS = {
    # Quality 5: within a few per cent of the best size at a tenth of the time.
    "br": functools.partial(brotli.compress, quality=5),
    "gzip": functools.partial(gzip.compress, compresslevel=6, mtime=0),
}
COMPRESS_MIN_BYTES = 1024


@functools.cache
def _release():
    """What this deployment renders with: the code, templates and catalogues, the static
    files' manifest and the libraries. Redis keeps pages across a deploy; a page rendered by
    the previous release (naming static files that no longer exist) must not be served by
    the next one. The in-process cache starts empty with each process."""
    if not _shared(page_cache()):
        return "local"
    import django

    import wagtail

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{django.__version__} {wagtail.__version__}".encode())
    digest.update(os.environ.get("PORTAL_RELEASE", "").encode())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    base = Path(settings.BASE_DIR)
    for path in sorted(base.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and not _ignored(path.relative_to(base)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _ignored(relative):
    return relative.parts[0] in {".venv", "var", "tests", "node_modules", ".git"} or (
        relative.parts[0].startswith(".")
    )


def page_cache():
    return caches[CACHE_ALIAS]


def _shared(cache):
    """A cache every process reads (Redis), unlike the in-process one."""
    return not isinstance(cache, LocMemCache)


def _stamp_generation():
    try:
        stat = os.stat(settings.PAGE_CACHE_STAMP)
    except FileNotFoundError:
        return "0"
    return f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"


def _bump():
    global _local_bumps, _generation_read
    _local_bumps += 1
    _generation_read = (float("-inf"), None)
    _local_pages.clear()
    cache = page_cache()
    if _shared(cache):
        # An editor's save (or a migration) must not fail because Redis is away; while it
        # is, no page is served from it either.
        try:
            cache.set(GENERATION_KEY, secrets.token_hex(8), None)
        except Exception:
            logger.exception(
                "Cannot change the page cache generation in Redis: pages stored there before "
                "this change are served until they expire"
            )
        return
    # A new file replacing the old one: a new inode, so a new token even within one tick of
    # a coarse clock.
    path = settings.PAGE_CACHE_STAMP
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(secrets.token_hex(8))
        os.replace(temporary, path)
    except OSError:
        logger.exception(
            "Cannot write PAGE_CACHE_STAMP (%s): other processes keep serving cached pages "
            "until they expire",
            path,
        )
    # This process's own pages go at once, whatever happened to the file.
    cache.clear()


# Changes made by this process: its own derived values go at once, even when the stamp file
# cannot be written or Redis cannot be reached.
_local_bumps = 0
# {(name, language): (generation, value)}: see derived().
_derived = {}
# Names may carry a host name (which ALLOWED_HOSTS bounds, but a wildcard there does not).
DERIVED_MAX_ENTRIES = 500


_UNREADABLE = object()
_STALE = object()


def _shared_generation():
    """The token under which pages are stored now, the same in every process; _UNREADABLE
    when Redis cannot be reached (nothing is kept then, everything is built afresh)."""
    cache = page_cache()
    try:
        if not _shared(cache):
            return _stamp_generation()
        generation = _recent_generation()
        if generation is _STALE:
            generation = _read_generation(cache.get(GENERATION_KEY))
        return generation
    except Exception:
        logger.warning("Cannot read the page cache generation", exc_info=True)
        return _UNREADABLE


# With Redis: the generation as this process last read it, and when (time.monotonic()), and
# the pages it last read there, with when. A busy process trusts both for
# PAGE_CACHE_GENERATION_SECONDS: its most read pages cost no round trip, no transfer and no
# unpickling; a change made by another process reaches it within that time, one made by this
# process at once (_bump forgets both).
_generation_read = (float("-inf"), None)
_local_pages = {}
LOCAL_PAGES_MAX_ENTRIES = 64


def _recent_generation():
    read_at, generation = _generation_read
    if time.monotonic() - read_at < settings.PAGE_CACHE_GENERATION_SECONDS:
        return generation
    return _STALE


def _read_generation(generation):
    global _generation_read
    _generation_read = (time.monotonic(), generation)
    return generation


def _shared_lookup(cache, key):
    """(generation, entry or None) from Redis: from this process's recent reads when both are
    recent, else in one round trip."""
    now = time.monotonic()
    window = settings.PAGE_CACHE_GENERATION_SECONDS
    generation = _recent_generation()
    local = _local_pages.get(key)
    if (
        local is not None
        and generation is not _STALE
        and now - local[0] < window
        and local[1][0] == generation
    ):
        return generation, local[1]
    found = cache.get_many([GENERATION_KEY, key])
    generation = _read_generation(found.get(GENERATION_KEY))
    entry = found.get(key)
    if entry is None or entry[0] != generation:
        _local_pages.pop(key, None)
        return generation, None
    if window:
        if len(_local_pages) >= LOCAL_PAGES_MAX_ENTRIES:
            _local_pages.clear()
        _local_pages[key] = (now, entry)
    return generation, entry


def generation():
    """This process's token for what it keeps itself (derived()): None when unreadable."""
    shared = _shared_generation()
    return None if shared is _UNREADABLE else (_local_bumps, shared)


def derived(name, build):
    """`build()`, kept in this process until the content changes: what every page or form
    shows and only editors change (the menu, the footer, the regions and categories of the
    report form). Invalidated with the stored pages (the same signals, `watch()`), keyed by
    the active language too, since such values hold translated labels."""
    if not settings.PAGE_PARTS_CACHE_SECONDS:
        return build()
    # Read before building: a value built from data older than its token cannot be kept.
    token = generation()
    key = (name, translation.get_language())
    found = _derived.get(key)
    if token is not None and found is not None and found[0] == token:
        return found[1]
    value = build()
    if token is not None:
        if len(_derived) >= DERIVED_MAX_ENTRIES:
            _derived.clear()
        _derived[key] = (token, value)
    return value


def forget_derived():
    """Every derived value is built afresh, the generation read again (tests: a rolled-back
    test leaves no signal)."""
    global _generation_read
    _derived.clear()
    _local_pages.clear()
    _generation_read = (float("-inf"), None)


def invalidate(**_signal_arguments):
    """Every stored page is stale from now on. Inside a transaction, once more when it
    commits: a page rendered meanwhile from the data before the commit must not be kept
    under the new token."""
    _bump()
    if connection.in_atomic_block:
        transaction.on_commit(_bump)


# A cache that keeps nothing (settings: CACHES): what `{% cache %}` uses when nothing may be
# kept or read, so a preview or a Redis that cannot be reached renders the part afresh.
NO_CACHE_ALIAS = "nothing"


def kept_parts():
    """(seconds, version, cache alias) for `{% cache %}` around parts of a page that only
    publishing changes (the home page's sections, a story's or an article's text): the
    version names this release and this generation of the content, so what was kept under
    it is stale once either changes. While the generation cannot be read nothing is kept or
    read."""
    seconds = settings.PAGE_PARTS_CACHE_SECONDS
    shared = _shared_generation() if seconds else _UNREADABLE
    if shared is _UNREADABLE:
        return 0, "unkept", NO_CACHE_ALIAS
    return seconds, f"{_release()}.{shared}", CACHE_ALIAS


class Kept:
    """One value of one page among many (its translations, its route, its body), kept in the
    page cache under the content's generation as read when this object is made: a value
    built after that read and stored with set() is stale as soon as the content changes, even
    when the change came while it was being built. With Redis every process shares them.
    `parts` (hashable) tells apart the variants. Nothing is kept while PAGE_PARTS_CACHE_SECONDS
    is 0 or the generation cannot be read."""

    def __init__(self, name, parts):
        self.seconds = settings.PAGE_PARTS_CACHE_SECONDS
        self.generation = _shared_generation() if self.seconds else _UNREADABLE
        self.key = hashlib.blake2b(
            f"{_release()}|{name}|{parts!r}".encode(), digest_size=20
        ).hexdigest()

    @property
    def enabled(self):
        return self.generation is not _UNREADABLE

    def get(self, default=None):
        if not self.enabled:
            return default
        try:
            entry = page_cache().get(self.key)
        except Exception:
            logger.warning("Cannot read a kept part from the page cache", exc_info=True)
            return default
        if entry is not None and entry[0] == self.generation:
            return entry[1]
        return default

    def set(self, value):
        if self.enabled:
            try:
                page_cache().set(self.key, (self.generation, value), self.seconds)
            except Exception:
                logger.warning("Cannot keep a part in the page cache", exc_info=True)


_MISSING = object()


def remembered(name, parts, compute):
    """compute(), kept in the page cache under the content's current generation (Kept): for
    values of one page among many, which derived() would keep in every process without
    bound."""
    kept = Kept(name, parts)
    value = kept.get(_MISSING)
    if value is _MISSING:
        value = compute()
        kept.set(value)
    return value


class PageCacheMiddleware:
    """Sits high in MIDDLEWARE (below the health probes, above everything else), so a hit
    costs one cache read. Every header the middleware below it add (SecurityMiddleware's,
    Content-Security-Policy, X-Frame-Options, Permissions-Policy, Content-Language) is
    stored with the page. Under gunicorn, PageCacheApplication answers most hits before
    Django's handler is reached; this middleware stores pages and answers the hits that
    application leaves to it (conditional requests, HEAD, other servers)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.cache_control = {
            "public": True,
            "max_age": settings.PAGE_CACHE_BROWSER_SECONDS,
            "s_maxage": settings.PAGE_CACHE_SHARED_SECONDS,
        }
        self.cookies = {settings.SESSION_COOKIE_NAME, "messages"}

    @cached_property
    def skipped_paths(self):
        """Paths whose views decide their own caching: the health probes, files, the admin,
        the report pages (a form with a CSRF token and a captcha, a reporter's status),
        captcha images, poster codes (each scan is counted)."""
        paths = {settings.STATIC_URL, settings.MEDIA_URL, "/admin/", "/documents/", "/captcha/"}
        paths.update({"/r/", "/healthz/", "/readyz/"})
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                paths.add(reverse("reporting:report"))
        return tuple(paths)

    def lookup(self, request):
        """(key, generation, entry) for a request that may be answered from or stored in
        the cache: the stored entry when it is current, else None. None instead of the
        triple when this request must be rendered for its reader alone. A cache that cannot
        be read gives no key: the page is rendered and nothing is stored."""
        key = self.key(request)
        if key is None:
            return None
        cache = page_cache()
        try:
            if _shared(cache):
                generation, entry = _shared_lookup(cache, key)
            else:
                generation = _stamp_generation()
                entry = cache.get(key)
        except Exception:
            logger.warning("Cannot read the page cache", exc_info=True)
            return None
        if entry is not None and entry[0] != generation:
            entry = None
        return key, generation, entry

    def __call__(self, request):
        # Wagtail's previews pass a made-up request for the public URL through the middleware
        # (request.is_dummy): it must never be answered with, or become, the public page.
        if request.path.startswith(self.skipped_paths) or getattr(request, "is_dummy", False):
            return self.get_response(request)
        if not self.anonymous_read(request):
            return self.private(self.get_response(request))
        found = self.lookup(request) if settings.PAGE_CACHE_SECONDS else None
        if found is None:
            with restrictions.shared():
                return self.private(self.get_response(request))
        key, generation, entry = found
        if entry is not None:
            return self.replay(request, entry)

        with restrictions.shared():
            response = self.get_response(request)
        if not self.storable(response):
            return self.private(response)
        # Every URL of the site names its language (Chinese without a prefix, English under
        # /en/, whatever the browser asks: docs/architecture.md), so the Accept-Language that
        # LocaleMiddleware adds to Vary would only split shared caches. A hit may be
        # compressed, so shared caches must split on what the browser accepts.
        response["Vary"] = "Accept-Encoding"
        patch_cache_control(response, **self.cache_control)
        etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
        # A view's own date (the sitemap's newest page) stands; otherwise, now.
        modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(time.time())
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        headers = tuple(
            (name, value) for name, value in response.items() if name.lower() not in NOT_STORED
        )
        try:
            page_cache().set(
                key,
                (
                    generation,
                    response.status_code,
                    headers,
                    response.content,
                    etag,
                    modified,
                    _compressed(response.content),
                ),
                settings.PAGE_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("Cannot store a page in the page cache", exc_info=True)
        return get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )

    def anonymous_read(self, request):
        """A GET from a reader without a session: nothing rendered for it is personal."""
        return (
            request.method in ("GET", "HEAD")
            and "HTTP_AUTHORIZATION" not in request.META
            and self.cookies.isdisjoint(request.COOKIES)
        )

    def key(self, request):
        """The cache key of an anonymous read, or None when its URL is not to be kept."""
        query = request.META.get("QUERY_STRING", "")
        if query and (
            len(query) > MAX_QUERY_LENGTH or not QUERY_PARAMETERS.issuperset(request.GET)
        ):
            return None
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
        raw = f"{_release()}|{url}|{language}"
        return hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()

    def storable(self, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        vary = {
            field.strip().lower()
            for field in cc_delim_re.split(response.get("Vary", ""))
            if field.strip()
        }
        if not vary <= {"accept-language"}:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        return not any(directive in cache_control for directive in PERSONAL_DIRECTIVES)

    def replay(self, request, entry):
        status, headers, body, etag, modified = _representation(
            entry, request.META.get("HTTP_ACCEPT_ENCODING", "")
        )
        response = HttpResponse(body, status=status, headers=dict(headers))
        return get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )

    @staticmethod
    def private(response):
        """Rendered for one reader: no shared cache may keep it, and no browser needs to."""
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _representation(entry, accept_encoding):
    """(status, headers, body, etag, modified) of a stored page in the encoding the reader
    accepts best, with the headers that go with that body."""
    _generation, status, headers, content, etag, modified, compressed = entry
    encoding = _encoding(accept_encoding, compressed)
    headers = [(name, value) for name, value in headers if name.lower() not in PER_BODY]
    if encoding:
        content = compressed[encoding]
        # Each representation has its own validator (RFC 9110, 8.8.3).
        etag = f'{etag[:-1]}-{encoding}"'
        headers.append(("Content-Encoding", encoding))
    headers += [("ETag", etag), ("Content-Length", str(len(content)))]
    return status, headers, content, etag, modified


class PageCacheApplication:
    """The WSGI application in front of Django's (portal/wsgi.py): a plain GET from an
    anonymous reader whose page is stored is answered here, without building Django's
    response, running the middleware or sending the request signals. That is most of the
    cost of a hit, and a hit is most of a busy day's traffic. Every decision is the
    middleware's own (the same key, paths, cookies and generation); what this leaves to
    Django (a conditional request, HEAD, a miss) the middleware answers as before."""

    # Conditional requests are answered by Django's get_conditional_response, with every
    # rule of RFC 9110 (304, 412), in the middleware.
    CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                   "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")  # fmt: skip

    def __init__(self, application):
        self.application = application
        self.middleware = PageCacheMiddleware(get_response=None)
        # Worked out once here (in gunicorn's master, with preload_app) rather than by each
        # worker on its first request.
        _release()

    def __call__(self, environ, start_response):
        reply = self.reply(environ) if settings.PAGE_CACHE_SECONDS else None
        if reply is None:
            return self.application(environ, start_response)
        status, headers, body = reply
        start_response(status, headers)
        return [body]

    def reply(self, environ):
        if environ.get("REQUEST_METHOD") != "GET" or any(
            name in environ for name in self.CONDITIONAL
        ):
            return None
        # A copy: WSGIRequest writes the decoded path into the environ it is given, which
        # Django's handler would then decode a second time (a non-ASCII slug would fail).
        request = WSGIRequest(environ.copy())
        middleware = self.middleware
        if request.path.startswith(middleware.skipped_paths) or not (
            middleware.anonymous_read(request)
        ):
            return None
        try:
            found = middleware.lookup(request)
        except DisallowedHost:
            return None  # Django answers it, and logs it, as it does every request.
        if found is None or found[2] is None:
            return None
        status, headers, body, _etag, _modified = _representation(
            found[2], environ.get("HTTP_ACCEPT_ENCODING", "")
        )
        return f"{status} {HTTPStatus(status).phrase}", headers, body


def _compressed(content):
    """{encoding: body} for each encoding that makes this body smaller."""
    if len(content) < COMPRESS_MIN_BYTES:
        return {}
    found = {}
    for name, compress in COMPRESSORS.items():
        body = compress(content)
        if len(body) < len(content):
            found[name] = body
    return found


def _encoding(accept_encoding, compressed):
    """The preferred encoding of `compressed` that an Accept-Encoding header allows, if any.
    A browser names what it takes (`gzip, deflate, br, zstd`); `q=0` refuses one."""
    if not compressed or not accept_encoding:
        return None
    weights = {}
    for part in accept_encoding.lower().split(","):
        name, _, parameters = part.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            field, _, value = parameter.strip().partition("=")
            if field == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.strip()] = weight
    for name in compressed:
        if weights.get(name, weights.get("*", 0.0)) > 0:
            return name
    return None


# Models that pages show without being pages themselves, beyond the kinds found below
# (settings, snippets, images, documents, sites, locales, view restrictions); an app adds its
# own with watch() from its AppConfig.ready.
_extra_models = set()
_decided = {}


def watch(model):
    _extra_models.add(model)
    _decided.clear()


def _watched(model):
    decided = _decided.get(model)
    if decided is None:
        decided = _decide(model)
        _decided[model] = decided
    return decided


def _decide(model):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import BaseViewRestriction, Locale, Site
    from wagtail.snippets.models import get_snippet_models

    from modelcluster.fields import ParentalKey

    bases = (
        BaseSiteSetting,
        BaseGenericSetting,
        AbstractImage,
        AbstractDocument,
        BaseViewRestriction,
        Locale,
        Site,
        *_extra_models,
    )
    if issubclass(model, bases) or model in get_snippet_models():
        return True
    # The inline rows of a setting or snippet (the footer links of PortalSettings) are saved
    # after it, and must invalidate again once they are.
    return any(
        isinstance(field, ParentalKey) and _watched(field.related_model)
        for field in model._meta.concrete_fields
    )


def _saved(sender, instance, update_fields=None, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page):
        # A draft saves only its bookkeeping fields (update_fields); a live page saved whole
        # (publishing, or code that edits a live page) changes what readers see.
        if update_fields is None and instance.live:
            invalidate()
    elif _watched(sender):
        invalidate()


def _deleted(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page) or _watched(sender):
        invalidate()


def connect():
    from django.db.models.signals import post_delete, post_save

    from wagtail import signals

    post_save.connect(_saved, dispatch_uid="pagecache-saved")
    post_delete.connect(_deleted, dispatch_uid="pagecache-deleted")
    for signal in (
        signals.page_published,
        signals.page_unpublished,
        signals.post_page_move,
        signals.published,
        signals.unpublished,
    ):
        signal.connect(invalidate, dispatch_uid=f"pagecache-{id(signal)}")
