"""A page of search results, at the cost of the search itself.

A result shows the page's address, title and the text around the first match. Those come
from the page's own model (one query per page type among the results) and do not change until
the content does, so each result's card is kept in the page cache until then
(SharedUntilContentChanges: shared by every process with Redis) and a search reads only the
matching pages' ids, titles and types. The total is counted only when the first page of
results is full: a shorter one is the whole answer.
"""

from django.core.paginator import Page as ResultsPage
from django.core.paginator import Paginator

from wagtail.models import Page

from portal.pagecache.kept import SharedUntilContentChanges

from .fields import plain_text

RESULTS_PER_PAGE = 10


def page_number(value, paginator):
    """The asked page if it exists, else the first: a bad link never becomes an error."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= paginator.num_pages else 1


def paginate(found, asked):
    """The page of `found` (a search's results: search.prepared) that `asked` names, or the
    first."""
    paginator = Paginator(found, RESULTS_PER_PAGE)
    if asked in (None, "", "1"):
        # One more than a page tells whether there is more; the page is cut from it rather
        # than asked of the database again.
        first = list(found[: RESULTS_PER_PAGE + 1])
        if len(first) <= RESULTS_PER_PAGE:
            paginator.count = len(first)  # a cached_property: no COUNT query
        return ResultsPage(first[:RESULTS_PER_PAGE], 1, paginator)
    return paginator.page(page_number(asked, paginator))


def cards(ids, request):
    """[(url, title, text)] of each result (page ids, in order): kept ones read from the page
    cache, the rest read as their own page types (one query per type) and kept."""
    # The address is written for the request's site (relative on it, absolute elsewhere).
    site = getattr(getattr(request, "_wagtail_site", None), "pk", None)
    kept = {pk: SharedUntilContentChanges("search-card", (pk, site)) for pk in ids}
    found = {pk: entry.get() for pk, entry in kept.items()}
    missing = [pk for pk, card in found.items() if card is None]
    if missing:
        for page in Page.objects.filter(pk__in=missing).specific():
            card = (
                page.get_url(request),
                page.title,
                plain_text(page) or page.search_description,
            )
            kept[page.pk].set(card)
            found[page.pk] = card
    return [found[pk] for pk in ids if found.get(pk) is not None]
