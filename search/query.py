"""What a search asks for, in one canonical form: the page shows it and the page cache keys
the search page by it (registry.cache_queries, docs/caching.md), so every spelling of one
query renders, and is kept as, one page."""

import functools
import re
import unicodedata
from urllib.parse import urlencode

from django.http import QueryDict

MAX_QUERY_LENGTH = 100
# Result pages a link may name and still be kept; a page beyond it is rendered uncached.
PAGE_NUMBER = re.compile(r"[0-9]{1,4}")
# Characters that a person typing a query never sends: such a query is rendered uncached,
# never kept (whitespace among them is only spacing).
NOT_TYPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def normalise(value):
    """NFKC (full-width letters become ASCII), case-folded, control, format and space
    characters as one space, trimmed."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in value)
    return " ".join(value.split())


# A hit is answered before Django's handler: the same few queries make most searches, so
# their canonical forms are kept rather than parsed and normalised again for each reader.
@functools.lru_cache(maxsize=1024)
def canonical(query_bytes):
    """The cache key's query of a search (its URL's query string, as bytes), or None when it
    is not to be kept: a parameter other than q and page, one given twice, a query too long or with
    characters nobody types, a page number that is not a short number."""
    params = QueryDict(query_bytes)
    if not {"q", "page"}.issuperset(params) or any(
        len(values) > 1 for _name, values in params.lists()
    ):
        return None
    raw = params.get("q", "")
    if any(unicodedata.category(char) in NOT_TYPED and not char.isspace() for char in raw):
        return None
    query = normalise(raw)
    if len(query) > MAX_QUERY_LENGTH:
        return None
    page = params.get("page", "") or "1"
    if not PAGE_NUMBER.fullmatch(page):
        return None
    return urlencode({"q": query, "page": int(page)})
