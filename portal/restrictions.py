"""Pages' view restrictions read once per reader's request instead of once per query.

Wagtail's `PageQuerySet.public()` reads every view restriction each time it builds a query:
a home page with its menu, language switch, head links, footer links and featured lists read
them seven times. Within `shared()` (the page cache's rendering of an anonymous GET, where
nothing can change a restriction) they are read once per process until the content changes
(a restriction saved or deleted changes the page cache's generation: portal.pagecache);
anywhere else, in the admin above all, `public()` behaves exactly as Wagtail's.

A page already known to have none (`unrestricted()`: the page a route found, whose
restrictions were just read, or the page a kept route found) answers
`get_view_restrictions()` without a query."""

import contextvars
from contextlib import contextmanager

from django.db.models import Q

from wagtail.query import PageQuerySet

_read = contextvars.ContextVar("page_view_restrictions", default=None)
_wagtails_private_q = PageQuerySet.private_q


def _private_q(self):
    read = _read.get()
    if read is None:
        return _wagtails_private_q(self)
    if "restrictions" not in read:
        from . import pagecache

        read["restrictions"] = pagecache.derived("view-restrictions", _all_restrictions)
    q = Q()
    for restriction in read["restrictions"]:
        q |= self.descendant_of_q(restriction.page, inclusive=True)
    # As Wagtail's: no private section, no private page.
    return q if q else Q(pk__in=[])


def _all_restrictions():
    from wagtail.models import PageViewRestriction

    return list(PageViewRestriction.objects.select_related("page"))


_wagtails_get_view_restrictions = None
UNRESTRICTED = "_portal_unrestricted"


def _get_view_restrictions(self):
    if self.__dict__.get(UNRESTRICTED):
        from wagtail.models import PageViewRestriction

        return PageViewRestriction.objects.none()
    return _wagtails_get_view_restrictions(self)


def unrestricted(page):
    """Tell `page` (this instance only) that no view restriction applies to it."""
    page.__dict__[UNRESTRICTED] = True


@contextmanager
def shared():
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def install():
    global _wagtails_get_view_restrictions
    from wagtail.models import Page

    PageQuerySet.private_q = _private_q
    if _wagtails_get_view_restrictions is None:
        _wagtails_get_view_restrictions = Page.get_view_restrictions
        Page.get_view_restrictions = _get_view_restrictions
