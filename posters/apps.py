from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PostersConfig(AppConfig):
    name = "posters"
    verbose_name = _("Posters and QR codes")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal import registry
        from portal.permissions import NoDeletePolicy

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import EntryPoint

        # A printed code lives for years: its entry point is switched off, never deleted, so
        # the code is never handed out again and old scans keep their figures.
        register_permission_policy(EntryPoint, NoDeletePolicy(EntryPoint))
        registry.add_demo_step(140, _demo_posters)
        registry.add_demo_summary(50, _demo_poster)


# The demo module is imported when the demo is loaded, not by every web process.


def _demo_posters(context):
    from . import demo

    demo.load(context["people"])


def _demo_poster(context):
    from .demo import ENTRY_POINTS, NOTICE_POSTER

    code, notice = ENTRY_POINTS[0][0], NOTICE_POSTER[0]
    return (
        f"Demo poster: {settings.PORTAL_BASE_URL}/r/{code}/  (its poster: /r/{code}/poster.pdf)\n"
        f"Demo wanted-notice poster: {settings.PORTAL_BASE_URL}/r/{notice}/  "
        f"(its poster: /r/{notice}/poster.pdf?paper=a3)"
    )
