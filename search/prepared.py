"""A search's SQL, written once per language and number of words until the content changes;
each search binds its own words to it.

Building and compiling Wagtail's ranked search query was about half of what a search that
is not in the page cache costs: the ORM resolves the same expressions (the rank, the join of
the index to the pages, the restrictions) for every query, and only the words differ. Here
the search backend runs the query once with stand-in words, the SQL and parameters it sends
are taken as they are (`connection.execute_wrapper`), and later searches with as many words
put theirs where the stand-ins were. The SQL is the backend's own, on either database; the
page of results and the count are asked of it with LIMIT and OFFSET, or COUNT(*), around it.

Only words made of letters and digits are bound (query_terms gives no others): the stand-ins
sit inside the backend's quoting, which no such word can break. For any other word, or when a
backend's query holds a stand-in anywhere but in its parameters, the search goes through the
ORM as before (`OrmSearch`).
"""

import re

from django.conf import settings
from django.db import connection

from portal.pagecache.kept import until_content_changes

# Lower-case letters that no word of a page is, each closed by "zq" so that none is inside
# another ("zqw1zq" is not in "zqw11zq"). Lower-case, as query words are.
STAND_IN = "zqw{}zq"
STAND_INS = re.compile(r"zqw(\d+)zq")
EVERY_ROW = 2**62


def _holds_stand_in(value):
    return isinstance(value, str) and STAND_INS.search(value) is not None


class Prepared:
    """The SQL of a search (page ids, best first) and its parameters, with the stand-ins to
    replace in them."""

    def __init__(self, sql, params, slots):
        self.sql = sql
        self.params = params
        self.slots = slots  # indexes of the parameters that hold stand-ins

    def bind(self, terms):
        params = list(self.params)
        for index in self.slots:
            params[index] = STAND_INS.sub(lambda m: terms[int(m.group(1))], params[index])
        return params


class BoundSearch:
    """A search's results as the Paginator reads a queryset: count() and slices, each one
    query; the items are page ids."""

    def __init__(self, prepared, terms):
        self.sql = prepared.sql
        self.params = prepared.bind(terms)
        self._count = None

    def count(self):
        if self._count is None:
            with connection.cursor() as cursor:
                # The backend's own SQL, with the words as parameters.
                count = f"SELECT COUNT(*) FROM ({self.sql}) found"  # nosec B608 # noqa: S608
                cursor.execute(count, self.params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("a search's results are read a page at a time")
        start = key.start or 0
        # SQLite takes an OFFSET only after a LIMIT.
        limit = EVERY_ROW if key.stop is None else max(key.stop - start, 0)
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} LIMIT %s OFFSET %s", [*self.params, limit, start])
            return [row[0] for row in cursor.fetchall()]


class OrmSearch:
    """The same, through the ORM: for words that are not bound."""

    def __init__(self, found):
        self.found = found

    def count(self):
        return self.found.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        return [page.pk for page in self.found[key]]


def search(pages, terms):
    """The ids of the pages of `pages()` (a queryset that is the same every time until the
    content changes, per language) that hold every one of `terms`, best first, as the
    Paginator reads them."""
    # With nothing kept, writing the SQL would be done again for every search, on top of it.
    if settings.PAGE_PARTS_CACHE_SECONDS and all(term.isalnum() for term in terms):
        prepared = until_content_changes(
            f"search-sql-{len(terms)}", lambda: _prepare(pages(), len(terms))
        )
        if prepared is not None:
            return BoundSearch(prepared, terms)
    return OrmSearch(pages().search(" ".join(terms), operator="and"))


def _prepare(pages, count):
    stand_ins = [STAND_IN.format(number) for number in range(count)]
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        # Unsliced: the whole ranked list, with no LIMIT to take out again.
        list(pages.search(" ".join(stand_ins), operator="and"))
    # Reading the locale, the restrictions or the content types on the way is not the search.
    searches = [
        (sql, list(params or ()))
        for sql, params in sent
        if any(_holds_stand_in(value) for value in params or ())
    ]
    if len(searches) != 1:
        return None
    sql, params = searches[0]
    slots = [index for index, value in enumerate(params) if _holds_stand_in(value)]
    found = {number for index in slots for number in STAND_INS.findall(params[index])}
    if STAND_INS.search(sql) or found != {str(number) for number in range(count)}:
        return None
    return Prepared(sql, params, slots)
