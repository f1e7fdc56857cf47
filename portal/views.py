from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from .seo import PortalSitemap


@require_safe
def sitemap(request):
    # Never translated: one sitemap for both languages, each page with its alternates.
    return wagtail_sitemap(request, sitemaps={"pages": PortalSitemap})


@require_safe
def robots_txt(request):
    """Crawl the public site, not the admin, the report pages (the form and a reporter's
    status page must never be indexed) or the poster redirects."""
    report_paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            report_paths.append(reverse("reporting:report"))
    disallow = [
        reverse("wagtailadmin_home"),
        *report_paths,
        "/r/",
        "/captcha/",
    ]
    return render(
        request,
        "robots.txt",
        {"disallow": disallow, "sitemap_url": settings.PORTAL_BASE_URL + reverse("sitemap")},
        content_type="text/plain; charset=utf-8",
    )


def find_site(request):
    """The request's Wagtail Site, kept until the content changes: Wagtail would find it with
    a query (a CASE over the sites) on every render, and it changes only when a site is saved,
    which changes the content's generation (docs/caching.md). Told to the request, where
    Wagtail looks for it first."""
    from django.http.request import split_domain_port

    from wagtail.models import Site

    from .pagecache.kept import until_content_changes

    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    request._wagtail_site = until_content_changes(
        ("site", *host), lambda: Site._find_for_request(request)
    )
    return request._wagtail_site


def serve_page(request, path):
    """Wagtail's page view, told the request's Site and, for a GET, the page its path leads
    to, from what is kept until the content changes. Here, not in a middleware: pages need
    the database anyway, while robots.txt, the health checks and the outage pages must not."""
    from wagtail.views import serve

    site = find_site(request)
    keep = _kept_route(request, site, path) if request.method in ("GET", "HEAD") else None
    response = serve(request, path)
    if keep is not None and response.status_code == 200:
        keep()
    return response


def _kept_route(request, site, path):
    """Routing a path reads each page on the way (two queries per level: the page, then its
    own type's row) and the view restrictions of the page and its ancestors (two more). The
    page found, as it was when found, is kept in the page cache under the content's
    generation, which every publication, move, deletion and restriction changes. The
    request is told it (Wagtail's own per-request route), so Wagtail's view renders it
    exactly as if it had routed it. Returns what keeps the route once the page answered 200
    (not before: a path Wagtail routes to a view that then finds nothing, /law/article-9999/,
    keeps nothing), or None."""
    import pickle  # nosec B403 # unpickles only what this portal's own cache wrote (below)

    from django.http import Http404
    from django.utils import translation

    from wagtail.models import Page

    from . import restrictions
    from .pagecache.kept import SharedUntilContentChanges

    if site is None:
        return None
    components = [component for component in path.split("/") if component]
    kept = SharedUntilContentChanges(
        "route", (site.pk, translation.get_language(), tuple(components))
    )
    if not kept.enabled:
        return None
    found = kept.get()
    if found is not None:
        consumed, pickled = found
        page = pickle.loads(pickled)  # nosec B301 # noqa: S301 (written by this process or its siblings)
        try:
            request._wagtail_route_for_request = page.route(request, components[consumed:])
            return None
        except Http404:
            pass
    route = Page.route_for_request(request, path)
    if route is None:
        return None
    page = route[0]
    if page.get_view_restrictions().exists():
        # Whether a reader may see it is decided for each request, by Wagtail.
        return None
    # Wagtail's check of the restrictions, which follows, need not read them again.
    restrictions.unrestricted(page)
    # Each level of the tree below the site's root is one component of the path; the rest
    # is the page's own route (an article of a law).
    entry = (page.depth - site.root_page.depth, pickle.dumps(page))
    return lambda: kept.set(entry)
