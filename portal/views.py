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


def serve_page(request, path):
    """Wagtail's page view, told the request's Site from what is kept until the content
    changes: Wagtail would find it with a query (a CASE over the sites) on every render, and
    it changes only when a site is saved, which changes the content's generation
    (docs/caching.md). Here, not in a middleware: pages need the database anyway, while
    robots.txt, the health checks and the outage pages must not."""
    from django.http.request import split_domain_port

    from wagtail.models import Site
    from wagtail.views import serve

    from . import pagecache

    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    request._wagtail_site = pagecache.derived(
        ("site", *host), lambda: Site._find_for_request(request)
    )
    return serve(request, path)
