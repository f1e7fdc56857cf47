from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Clue reporting")

    def ready(self):
        from .reference import seed_if_empty

        post_migrate.connect(seed_if_empty, sender=self)
