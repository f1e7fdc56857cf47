"""Pages' view restrictions read once per reader's request instead of once per query, through
Wagtail's own extension points: a page queryset subclass and an abstract page base class.

Wagtail's `PageQuerySet.public()` reads every view restriction each time it builds a query:
a home page with its menu, language switch, head links, footer links and featured lists read
them seven times. Within `shared()` (the page cache's rendering of an anonymous GET, where
nothing can change a restriction) the project's querysets (`PortalPage.objects`,
`portal_pages()`) read them once per process until the content changes (a restriction saved
or deleted changes the content's generation: portal.pagecache); anywhere else, in the admin
above all, and for Wagtail's own `Page.objects`, `public()` behaves exactly as Wagtail's.

A page already known to have none (`unrestricted()`: the page a route found, whose
restrictions were just read, or the page a kept route found) answers
`get_view_restrictions()` without a query."""

import contextvars
from contextlib import contextmanager

from django.db.models import Q

from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from portal.page_forms import PortalPageForm
from portal.pagecache.kept import until_content_changes

_read = contextvars.ContextVar("page_view_restrictions", default=None)


def _all_restrictions():
    return list(PageViewRestriction.objects.select_related("page"))


class PortalPageQuerySet(PageQuerySet):
    def private_q(self):
        read = _read.get()
        if read is None:
            return super().private_q()
        if "restrictions" not in read:
            read["restrictions"] = until_content_changes("view-restrictions", _all_restrictions)
        q = Q()
        for restriction in read["restrictions"]:
            q |= self.descendant_of_q(restriction.page, inclusive=True)
        # As Wagtail's: no private section, no private page.
        return q if q else Q(pk__in=[])


# From Wagtail's PageManager, as its system check asks of a page model's manager.
PortalPageManager = PageManager.from_queryset(PortalPageQuerySet)


def portal_pages(model=Page):
    """Every page (of `model` and its subclasses), as `model.objects` gives them, with the
    view restrictions read as described above: for queries over pages of every type, which
    Wagtail's `Page.objects` would build."""
    return PortalPageQuerySet(model).order_by("path")


UNRESTRICTED = "_portal_unrestricted"


class PortalPage(Page):
    """The base of the project's page types."""

    objects = PortalPageManager()
    base_form_class = PortalPageForm

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        if self.__dict__.get(UNRESTRICTED):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


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
