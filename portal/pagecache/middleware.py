"""Stores the pages of anonymous readers and answers from them, inside Django
(portal.pagecache)."""

import functools
import gzip
import hashlib
import logging
import threading
import time
from functools import cached_property

from django.conf import settings
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

from portal import registry, restrictions
from portal.metrics import page_cache_hit, page_cache_miss

from .generation import (
    is_shared,
    page_cache,
    release,
    shared_lookup,
    stamp_generation,
)

logger = logging.getLogger(__name__)

# Query parameters of the site's own listings (pages, filters). A URL with any other
# parameter is rendered but not stored: the cache cannot be filled with endless variants, and
# the poster a reader came from (?entry=) is never kept. Views that key their own queries
# (registry.cache_queries: the search page) are the one exception, under a canonical form.
QUERY_PARAMETERS = frozenset({"page", "tag", "region", "year", "kind"})
MAX_QUERY_LENGTH = 200
# A view that keys its own queries (registry.cache_queries: the search page) reads them only
# up to this length; a longer query string is rendered uncached. A search's hundred Chinese
# characters take 900 percent-encoded.
MAX_KEYED_QUERY_LENGTH = 2000
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
# How long a reader waits for the page another thread of this process is rendering for the
# same key before rendering it too.
RENDER_WAIT_SECONDS = 10


class Renders:
    """The pages this process is rendering now, by key, so that readers who miss the same
    page at once wait for the one render instead of each making their own. After a
    publication every popular page misses at once, and a recycled worker starts empty: a
    worker's dozens of threads rendering one search page together held each reader about a
    second (p99) where one render takes milliseconds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = {}  # key: [threading.Event, readers waiting]

    def claim(self, key):
        """None when this thread is to render `key`; else the render to wait for."""
        with self.lock:
            render = self.running.get(key)
            if render is None:
                self.running[key] = [threading.Event(), 0]
                return None
            render[1] += 1
            return render

    def done(self, key):
        with self.lock:
            render = self.running.pop(key)
        render[0].set()

    def waiting(self, key):
        """Readers waiting for the render of `key` (for tests)."""
        with self.lock:
            render = self.running.get(key)
            return render[1] if render else 0


renders = Renders()


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
        captcha images, poster codes (each scan is counted), the operators' metrics."""
        paths = {settings.STATIC_URL, settings.MEDIA_URL, "/admin/", "/documents/", "/captcha/"}
        paths.update({"/r/", "/healthz/", "/readyz/", "/metrics"})
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                paths.add(reverse("reporting:report"))
        return tuple(paths)

    @cached_property
    def keyed_queries(self):
        """{path: canonical(query_bytes)} of the views that key their own queries, in every
        language."""
        paths = {}
        for view_name, canonical in registry.cached_queries().items():
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    paths[reverse(view_name)] = canonical
        return paths

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
            if is_shared(cache):
                generation, entry = shared_lookup(cache, key)
            else:
                generation = stamp_generation()
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
        answer = self.kept_or_private(request, found)
        if answer is not None:
            return answer
        key, generation, _entry = found
        render = renders.claim(key)
        if render is None:
            try:
                return self.render_and_store(request, key, generation)
            finally:
                renders.done(key)
        # Another thread of this process is rendering this page: its page, once stored.
        render[0].wait(RENDER_WAIT_SECONDS)
        found = self.lookup(request)
        answer = self.kept_or_private(request, found)
        if answer is not None:
            return answer
        # Not stored (not a page to keep) or not yet: rendered for this reader too.
        return self.render_and_store(request, *found[:2])

    def kept_or_private(self, request, found):
        """The stored page of a lookup, or the page rendered for this reader alone when
        nothing can be kept; None when it is to be rendered and stored."""
        if found is None:
            with restrictions.shared():
                return self.private(self.get_response(request))
        if found[2] is not None:
            page_cache_hit()
            return self.replay(request, found[2])
        return None

    def render_and_store(self, request, key, generation):
        page_cache_miss()
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
        canonical = self.keyed_queries.get(request.path)
        if canonical is not None:
            # Variants of one query (spacing, width, case) share one entry, so the key is the
            # view's canonical form of the query rather than the URL's.
            if len(query) > MAX_KEYED_QUERY_LENGTH:
                return None
            try:
                # The environ's query string is its bytes read as Latin-1 (PEP 3333), as
                # Django reads it for request.GET.
                raw = query.encode("iso-8859-1")
            except UnicodeEncodeError:
                return None
            query = canonical(raw)
            if query is None:
                return None
        elif query and (
            len(query) > MAX_QUERY_LENGTH or not QUERY_PARAMETERS.issuperset(request.GET)
        ):
            return None
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
        raw = f"{release()}|{url}|{language}"
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
        status, headers, body, etag, modified = representation(
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


def representation(entry, accept_encoding):
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
