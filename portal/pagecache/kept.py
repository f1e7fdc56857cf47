"""Values pages are built from, kept until the content changes (docs/caching.md).

Three ways, by where the value is kept:

- `until_content_changes(name, build)`: in this process, per language. For what every page
  or form shows and only editors change (the menu, the footer, the regions of the report
  form): a handful of values, read on every request.
- `SharedUntilContentChanges(name, parts)`: in the page cache (with Redis, shared by every
  process). For values of one page among many (its translations, its route, its articles),
  which would fill every process without bound.
- `template_fragments()`: what `{% cache %}` needs to keep parts of templates (a story's
  text) in the page cache.

Each is stale from the moment the content's generation changes (portal.pagecache.generation);
a value built from data read before a change is never kept under the generation after it.
Nothing is kept while PAGE_PARTS_CACHE_SECONDS is 0 or the generation cannot be read.
"""

import hashlib
import logging
from collections import namedtuple

from django.conf import settings
from django.utils import translation

from . import generation

logger = logging.getLogger(__name__)

# {(name, language): (generation, value)}: see until_content_changes().
_in_process = {}
# Names may carry a host name (which ALLOWED_HOSTS bounds, but a wildcard there does not).
IN_PROCESS_MAX_ENTRIES = 500


def until_content_changes(name, build):
    """`build()`, kept in this process until the content changes, keyed by the active
    language too, since such values hold translated labels. A mutable value (`dict`) may be
    filled in afterwards: it is dropped with the generation it was made under."""
    if not settings.PAGE_PARTS_CACHE_SECONDS:
        return build()
    # Read before building: a value built from data older than its token cannot be kept.
    token = generation.local_generation()
    key = (name, translation.get_language())
    found = _in_process.get(key)
    if token is not None and found is not None and found[0] == token:
        return found[1]
    value = build()
    if token is not None:
        if len(_in_process) >= IN_PROCESS_MAX_ENTRIES:
            _in_process.clear()
        _in_process[key] = (token, value)
    return value


def forget():
    """Every kept value is built afresh, the generation read again (tests: a rolled-back test
    leaves no signal)."""
    _in_process.clear()
    generation.forget_reads()


_MISSING = object()


class SharedUntilContentChanges:
    """One value of one page among many, kept in the page cache under the content's
    generation as read when this object is made: a value built after that read and stored
    with set() is stale as soon as the content changes, even when the change came while it
    was being built. With Redis every process shares them. `parts` (hashable) tells apart
    the variants."""

    def __init__(self, name, parts):
        self.seconds = settings.PAGE_PARTS_CACHE_SECONDS
        self.generation = generation.shared_generation() if self.seconds else generation.UNREADABLE
        self.key = hashlib.blake2b(
            f"{generation.release()}|{name}|{parts!r}".encode(), digest_size=20
        ).hexdigest()

    @property
    def enabled(self):
        return self.generation is not generation.UNREADABLE

    def get(self, default=None):
        if not self.enabled:
            return default
        try:
            entry = generation.page_cache().get(self.key)
        except Exception:
            logger.warning("Cannot read a kept part from the page cache", exc_info=True)
            return default
        if entry is not None and entry[0] == self.generation:
            return entry[1]
        return default

    def set(self, value):
        if self.enabled:
            try:
                generation.page_cache().set(self.key, (self.generation, value), self.seconds)
            except Exception:
                logger.warning("Cannot keep a part in the page cache", exc_info=True)

    def get_or_build(self, build):
        """The kept value, or `build()`, kept."""
        value = self.get(_MISSING)
        if value is _MISSING:
            value = build()
            self.set(value)
        return value


TemplateFragments = namedtuple("TemplateFragments", "seconds version cache")


def template_fragments(preview=False):
    """For `{% cache kept.seconds "name" kept.version ... using=kept.cache %}` around parts
    of a page that only publishing changes (the home page's sections, a story's or an
    article's text): the version names this release and this generation of the content, so
    what was kept under it is stale once either changes. A preview shows a draft: never
    what is kept, never kept; nor is anything while the generation cannot be read."""
    if preview:
        return TemplateFragments(0, "preview", generation.NO_CACHE_ALIAS)
    seconds = settings.PAGE_PARTS_CACHE_SECONDS
    shared = generation.shared_generation() if seconds else generation.UNREADABLE
    if shared is generation.UNREADABLE:
        return TemplateFragments(0, "unkept", generation.NO_CACHE_ALIAS)
    return TemplateFragments(seconds, f"{generation.release()}.{shared}", generation.CACHE_ALIAS)
