"""Pages' view restrictions read once per reader's request instead of once per query.

Wagtail's `PageQuerySet.public()` reads every view restriction each time it builds a query:
a home page with its menu, language switch, head links, footer links and featured lists read
them seven times. Within `shared()` (the page cache's rendering of an anonymous GET, where
nothing can change a restriction) the first read is reused; anywhere else, in the admin
above all, `public()` behaves exactly as Wagtail's."""

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
        from wagtail.models import PageViewRestriction

        read["restrictions"] = list(PageViewRestriction.objects.select_related("page"))
    q = Q()
    for restriction in read["restrictions"]:
        q |= self.descendant_of_q(restriction.page, inclusive=True)
    # As Wagtail's: no private section, no private page.
    return q if q else Q(pk__in=[])


@contextmanager
def shared():
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def install():
    PageQuerySet.private_q = _private_q
