from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Clue reporting")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal.permissions import NoDeletePolicy

        from .models import Clue, LedgerEntry, Membership, Unit
        from .permissions import ClueReadOnlyPolicy
        from .reference import seed_if_empty
        from .roles import ensure_groups, sync_group

        register_permission_policy(Clue, ClueReadOnlyPolicy(Clue))
        # The ledger is append-only; without this a superuser's ledger page offered an "add"
        # button to a view that does not exist, and failed.
        register_permission_policy(LedgerEntry, ClueReadOnlyPolicy(LedgerEntry))
        # Deleting a tree node deletes its subtree, and clues, transfers and ledger entries
        # point at units for good.
        register_permission_policy(Unit, NoDeletePolicy(Unit))
        post_migrate.connect(seed_if_empty, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
        post_save.connect(sync_group, sender=Membership)
        post_delete.connect(sync_group, sender=Membership)
