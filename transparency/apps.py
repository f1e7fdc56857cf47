from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Public statistics")

    def ready(self):
        from portal import registry
        from portal.pagecache import invalidation

        from .models import Snapshot

        # The statistics page shows the latest snapshot: a new one is a new page.
        invalidation.watch(Snapshot)
        registry.add_periodic_task(30, _refresh_public_statistics)
        registry.add_demo_step(70, _demo_statistics_page)
        registry.add_demo_refresh(10, _demo_figures)


# The task and demo modules are imported when used, not by every web process.


def _refresh_public_statistics():
    from .tasks import refresh_public_statistics

    return refresh_public_statistics


def _demo_statistics_page(context):
    from . import demo

    demo.load()


def _demo_figures(context):
    from . import demo

    demo.refresh()
