from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views as portal_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("captcha/", include("captcha.urls")),
    # Poster codes: outside the language prefixes, so a printed URL never depends on them.
    path("r/", include("posters.urls")),
    # The units' API: for machines, so outside the language prefixes (docs/forwarding.md).
    path("api/units/v1/", include("unitapi.urls")),
    # One sitemap and one robots.txt for both languages, at the root where crawlers look.
    path("sitemap.xml", portal_views.sitemap, name="sitemap"),
    path("robots.txt", portal_views.robots_txt, name="robots_txt"),
]

if settings.SERVE_MEDIA:
    # Public media only (Wagtail images and documents); evidence has no URL at all.
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Chinese is served without a prefix, English under /en/. Wagtail's page routes come last
# because they match every remaining path.
urlpatterns += i18n_patterns(
    # A reporter's reward claim, on their report's status page (docs/rewards.md).
    path("report/status/reward/", include("rewards.urls")),
    path("report/", include("reporting.urls")),
    path("search/", include("search.urls")),
    # An attempt at a quiz page, its result and certificate (docs/quizzes.md).
    path("quizzes/", include("quizzes.urls")),
    # Wagtail's page view, with the site found once per change of the content.
    re_path(wagtail_urls.serve_pattern, portal_views.serve_page, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler500 = "portal.errors.server_error"
