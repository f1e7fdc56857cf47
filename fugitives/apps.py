from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class FugitivesConfig(AppConfig):
    name = "fugitives"
    verbose_name = _("Wanted notices")

    def ready(self):
        from portal import registry

        registry.add_periodic_task(70, _withdraw_due_details)
        # After the laws (30) and the content pages (50), before the home page features (60).
        registry.add_demo_step(55, _demo_notices)
        registry.add_demo_summary(60, _demo_summary)
        # Sightings: the report form about a notice, and their figures on the statistics pages.
        from . import sightings, statistics

        sightings.register()
        statistics.register_figures()
        # After reporting's demo clues and staff (its steps 110 to 157).
        registry.add_demo_step(165, _demo_sighting)
        registry.add_demo_summary(48, _demo_sighting_summary)


# The task and demo modules are imported when used, not by every web process.


def _withdraw_due_details():
    from .tasks import withdraw_due_details

    return withdraw_due_details


def _demo_notices(context):
    from . import demo

    demo.load()


def _demo_summary(context):
    return (
        f"Demo wanted notices: {settings.PORTAL_BASE_URL}/wanted/  "
        "(one wanted, one caught whose details the withdrawal job has removed: 410 Gone)"
    )


def _demo_sighting(context):
    from . import demo_sightings

    context["sighting"] = demo_sightings.load()


def _demo_sighting_summary(context):
    found = context.get("sighting")
    if not found:
        return None
    return (
        f"Demo sighting of the wanted notice: {settings.PORTAL_BASE_URL}/report/status/  "
        f"tracking number: {found[0]}  access key: {found[1]}"
    )
