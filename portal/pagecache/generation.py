"""The content's generation: one token for the whole site, changed by every edit that readers
can see (portal.pagecache.invalidation), under which pages and kept values are stored.

With Redis the token lives beside the pages, one round trip reads both; with the in-process
cache each web process has its own pages, so the token is a small file that every process on
the machine stats, and any process can change."""

import functools
import hashlib
import logging
import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "generation"
# A cache that keeps nothing (settings: CACHES): what `{% cache %}` uses when nothing may be
# kept or read, so a preview or a Redis that cannot be reached renders the part afresh.
NO_CACHE_ALIAS = "nothing"

UNREADABLE = object()
_STALE = object()


@functools.cache
def release():
    """What this deployment renders with: the code, templates and catalogues, the static
    files' manifest and the libraries. Redis keeps pages across a deploy; a page rendered by
    the previous release (naming static files that no longer exist) must not be served by
    the next one. The in-process cache starts empty with each process."""
    if not is_shared(page_cache()):
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


def is_shared(cache):
    """A cache every process reads (Redis), unlike the in-process one."""
    return not isinstance(cache, LocMemCache)


def stamp_generation():
    try:
        stat = os.stat(settings.PAGE_CACHE_STAMP)
    except FileNotFoundError:
        return "0"
    return f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"


# Changes made by this process: its own kept values go at once, even when the stamp file
# cannot be written or Redis cannot be reached.
_local_bumps = 0


def bump():
    """A new generation: every page and value stored under the old one is stale."""
    global _local_bumps, _generation_read
    _local_bumps += 1
    _generation_read = (float("-inf"), None)
    _local_pages.clear()
    cache = page_cache()
    if is_shared(cache):
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


def shared_generation():
    """The token under which pages are stored now, the same in every process; UNREADABLE
    when Redis cannot be reached (nothing is kept then, everything is built afresh)."""
    cache = page_cache()
    try:
        if not is_shared(cache):
            return stamp_generation()
        generation = _recent_generation()
        if generation is _STALE:
            generation = _read_generation(cache.get(GENERATION_KEY))
        return generation
    except Exception:
        logger.warning("Cannot read the page cache generation", exc_info=True)
        return UNREADABLE


def local_generation():
    """This process's token for what it keeps itself (portal.pagecache.kept): None when
    unreadable."""
    shared = shared_generation()
    return None if shared is UNREADABLE else (_local_bumps, shared)


# With Redis: the generation as this process last read it, and when (time.monotonic()), and
# the pages it last read there, with when. A busy process trusts both for
# PAGE_CACHE_GENERATION_SECONDS: its most read pages cost no round trip, no transfer and no
# unpickling; a change made by another process reaches it within that time, one made by this
# process at once (bump forgets both).
_generation_read = (float("-inf"), None)
_local_pages = {}
LOCAL_PAGES_MAX_ENTRIES = 64


def forget_reads():
    """The generation is read again, and the pages last read from Redis too."""
    global _generation_read
    _local_pages.clear()
    _generation_read = (float("-inf"), None)


def _recent_generation():
    read_at, generation = _generation_read
    if time.monotonic() - read_at < settings.PAGE_CACHE_GENERATION_SECONDS:
        return generation
    return _STALE


def _read_generation(generation):
    global _generation_read
    _generation_read = (time.monotonic(), generation)
    return generation


def shared_lookup(cache, key):
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
