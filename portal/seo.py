"""What search engines and link previews read: canonical addresses, a page's translations, and
the sitemap. Every absolute URL starts with PORTAL_BASE_URL, never with the request's Host
header (which a client controls) nor with the Wagtail Site record's host name (which the demo
leaves at localhost)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from .pagecache.kept import SharedUntilContentChanges
from .restrictions import portal_pages

# BCP 47 spellings for lang and hreflang attributes; Django's codes are lower-case.
HREFLANG = {"zh-hans": "zh-Hans", "en": "en"}
# Open Graph wants a language_TERRITORY locale.
OG_LOCALE = {"zh-hans": "zh_CN", "en": "en_US"}


def absolute(url):
    """A path, or a URL Wagtail built on its Site record's host, on the canonical origin."""
    parts = urlsplit(url)
    return settings.PORTAL_BASE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


def page_path(page, request=None):
    """The page's path in its own language (/en/... for English), or None if not routable."""
    parts = _once_per_request(request, "parts", page, page.get_url_parts)
    return parts[2] if parts else None


def page_url(page, request=None):
    """page.get_url(request): relative on the request's own site."""
    return _once_per_request(request, "url", page, page.get_url)


def _once_per_request(request, kind, page, compute):
    """A page's address, worked out once per request: a page's head (canonical, alternates)
    and its language switch ask for the same few pages' addresses, often through different
    objects of one page, and each answer costs Wagtail a URL reversal (about a tenth of
    rendering a law article). The key holds the page's url_path, which Wagtail builds the
    address from."""
    if request is None:
        return compute(request)
    known = request.__dict__.setdefault("_portal_page_addresses", {})
    key = (kind, page.pk, page.url_path)
    if key not in known:
        known[key] = compute(request)
    return known[key]


def live_translations(page):
    """The page's live translations, itself included, by language code. One query, made once
    per page object: the head's alternates and the language switch share it."""
    cached = getattr(page, "_portal_live_translations", None)
    if cached is None:

        def translations():
            return {
                other.locale.language_code: other
                for other in portal_pages(type(page))
                .filter(translation_key=page.translation_key)
                .live()
                .public()
                .select_related("locale")
            }

        # Publishing changes them, and with them the content's generation: kept until then.
        # A page not yet saved (a preview of a new page) has no key.
        cached = (
            SharedUntilContentChanges("translations", page.pk).get_or_build(translations)
            if page.pk
            else translations()
        )
        page._portal_live_translations = cached
    return cached


def alternates(pages_by_language, url_for):
    """hreflang alternates for one content in several languages, x-default being the Chinese
    one; empty when there is only one language (an alternate of nothing but itself)."""
    if len(pages_by_language) < 2:
        return []
    links = [
        {"lang_code": HREFLANG.get(code, code), "location": url}
        for code, _name in settings.LANGUAGES
        if code in pages_by_language and (url := url_for(pages_by_language[code]))
    ]
    default = pages_by_language.get(settings.LANGUAGE_CODE)
    if default is not None and (url := url_for(default)):
        links.append({"lang_code": "x-default", "location": url})
    return links


class PortalSitemap(Sitemap):
    """Wagtail's sitemap over both language trees (the Site's root page is the Chinese home;
    the English home is its translation, not its descendant), with canonical URLs and hreflang
    alternates for pages that have translations."""

    def items(self):
        roots = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        in_trees = Q(pk__in=[])
        for root in roots:
            in_trees |= Page.objects.all().descendant_of_q(root, inclusive=True)
        return (
            portal_pages()
            .live()
            .public()
            .filter(in_trees)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def _urls(self, page, protocol, domain):
        pages = list(self.paginator.page(page).object_list)
        groups = self._public_translations(pages)

        def url_for(item):
            path = page_path(item, self.request)
            return absolute(path) if path else None

        urls, last_mods = [], set()
        for item in pages:
            own = item.get_full_url(self.request)
            for info in item.get_sitemap_urls(self.request):
                if not info.get("location"):
                    continue
                entry = {**info, "location": absolute(info["location"])}
                if info["location"] == own:
                    entry["alternates"] = alternates(groups.get(item.translation_key, {}), url_for)
                urls.append(entry)
                last_mods.add(entry.get("lastmod"))
        # Wagtail's own logic: a Last-Modified header only when every entry has a date.
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls

    def _public_translations(self, pages):
        """Live public pages sharing a translation key with these, grouped: one query (two
        with the view restrictions) per sitemap page, whatever its length."""
        groups = {}
        keys = {item.translation_key for item in pages}
        for other in (
            portal_pages()
            .live()
            .public()
            .filter(translation_key__in=keys)
            .select_related("locale")
        ):
            groups.setdefault(other.translation_key, {})[other.locale.language_code] = other
        return groups
