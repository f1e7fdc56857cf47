from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Public statistics")

    def ready(self):
        from portal.pagecache import invalidation

        from .models import Snapshot

        # The statistics page shows the latest snapshot: a new one is a new page.
        invalidation.watch(Snapshot)
