"""The report form as a first visit sees it, written once and filled in for each visitor.

Every first visit to the form (no poster's preselection, nothing sent yet) gets the same page
but for four values of its own: the CSRF token, the form's submission token, its signed time
stamp, and the captcha's key (twice: the hidden field and the picture's address). Writing the
whole form was most of a visit's cost, so the page is written once per language, address and
content generation (portal.pagecache.derived: categories, regions, the menu and the footer are
content), with those four values cut out, and each visit gets a copy with its own values in
their place. Nothing of the visit that wrote the page is kept in it.
"""

from django.utils.html import escape

from portal import pagecache

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
    def cut(cls, html, values):
        """The page with each of `values` (name -> value, cut in this order) replaced by a
        slot; None when a value is missing from the page or the page cannot hold slots."""
        if SLOT in html:
            return None
        for name, value in values.items():
            if not value or value not in html:
                return None
            html = html.replace(value, f"{SLOT}{name}{SLOT}")
        return cls(html.split(SLOT))

    def fill(self, values):
        page = list(self.parts)
        for index in range(1, len(page), 2):
            page[index] = escape(values[page[index]])
        return "".join(page)


class Pages:
    """The pages kept under the content generation read when this object is made: a page
    written from data read after that is never kept under a newer generation."""

    def __init__(self, request):
        self.pages = pagecache.derived("report-form:first-visit", dict)
        self.address = (request.scheme, request.get_host(), request.path)

    def get(self):
        return self.pages.get(self.address)

    def keep(self, html, values):
        skeleton = Skeleton.cut(html, values)
        if skeleton is not None and len(self.pages) < MAX_PAGES:
            self.pages[self.address] = skeleton
