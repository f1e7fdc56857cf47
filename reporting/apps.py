from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Clue reporting")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal.pagecache import invalidation
        from portal.permissions import NoDeletePolicy
        from reporting.lifecycle.permissions import ClueReadOnlyPolicy
        from reporting.lifecycle.roles import ensure_groups, sync_group

        from .models import Category, Clue, LedgerEntry, Membership, Region, Unit
        from .reference import seed_if_empty

        register_permission_policy(Clue, ClueReadOnlyPolicy(Clue))
        # The ledger is append-only: its admin listing offers no add or edit, superusers
        # included (their add permission would otherwise link to an add view that is absent).
        register_permission_policy(LedgerEntry, ClueReadOnlyPolicy(LedgerEntry))
        # Deleting a tree node deletes its subtree, and clues, transfers and ledger entries
        # point at units for good.
        register_permission_policy(Unit, NoDeletePolicy(Unit))
        post_migrate.connect(seed_if_empty, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
        post_save.connect(sync_group, sender=Membership)
        post_delete.connect(sync_group, sender=Membership)
        # Public pages (the statistics) and the report form show regions and categories; the
        # form keeps its lists until they change (reporting.forms.region_options).
        invalidation.watch(Region)
        invalidation.watch(Category)
