from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Clue reporting")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from .models import Clue
        from .permissions import ClueReadOnlyPolicy
        from .reference import seed_if_empty
        from .roles import ensure_groups

        register_permission_policy(Clue, ClueReadOnlyPolicy(Clue))
        post_migrate.connect(seed_if_empty, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
