"""Pages of the report flow written once, and filled in for each visitor.

Every first visit to the form (no poster's preselection, nothing sent yet) gets the same page
but for four values of its own: the CSRF token, the form's submission token, its signed time
stamp, and the captcha's key (in the hidden field, the picture's address and the recording's,
when there is one). Every receipt is the same page but for its tracking number and access
key. Writing those pages was most of their cost, so each is written once per language,
address and content generation, in this process (portal.pagecache.kept.until_content_changes:
categories, regions, the menu and the footer are content), with those values cut out, and
each visitor gets a copy with their own values in their place.
Nothing of the visitor whose page was written once is kept in it.
"""

from django.utils.html import escape

from portal.pagecache.kept import until_content_changes

# Never in a rendered page: the template engine writes no control characters, and a page
# holding one is simply not kept.
SLOT = "\x00"
# Addresses a form is served at (scheme, host, path): a handful per language in practice;
# a bound in case ALLOWED_HOSTS lets many host names through.
MAX_PAGES = 16


class Skeleton:
    def __init__(self, parts):
        self.parts = parts

    @classmethod
    def cut(cls, html, values, counts):
        """The page with each of `values` (name -> value, cut in this order) replaced by a
        slot; None when a value is missing, or found more often than the `counts[name]`
        places the template writes it (a value that also happened to be part of the page's
        text would be cut from that text too), or when the page cannot hold slots."""
        if SLOT in html:
            return None
        for name, value in values.items():
            if not value or not 1 <= html.count(value) <= counts[name]:
                return None
            html = html.replace(value, f"{SLOT}{name}{SLOT}")
        return cls(html.split(SLOT))

    def fill(self, values):
        page = list(self.parts)
        for index in range(1, len(page), 2):
            page[index] = escape(values[page[index]])
        return "".join(page)


class PagesKeptUntilContentChanges:
    """The pages of one kind kept in this process under the content generation read when this
    object is made: a page written from data read after that is never kept under a newer
    generation.
    `counts`: in how many places at most such a page shows each value.

    Only a request without a query is served or kept: a page's links carry its query (the
    language switch, the report button's poster entry code), so one visitor's query would
    otherwise reach the next."""

    def __init__(self, request, kind, counts):
        plain = not request.GET
        self.pages = until_content_changes(f"reporting:{kind}", dict) if plain else None
        self.address = (request.scheme, request.get_host(), request.path)
        self.counts = counts

    def get(self):
        return None if self.pages is None else self.pages.get(self.address)

    def keep(self, html, values):
        if self.pages is None:
            return
        skeleton = Skeleton.cut(html, values, self.counts)
        if skeleton is not None and len(self.pages) < MAX_PAGES:
            self.pages[self.address] = skeleton
