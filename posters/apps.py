from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostersConfig(AppConfig):
    name = "posters"
    verbose_name = _("Posters and QR codes")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal.permissions import NoDeletePolicy

        from .models import EntryPoint

        # A printed code lives for years: its entry point is switched off, never deleted, so
        # the code is never handed out again and old scans keep their figures.
        register_permission_policy(EntryPoint, NoDeletePolicy(EntryPoint))
