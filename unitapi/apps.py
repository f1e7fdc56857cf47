from django.apps import AppConfig
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UnitApiConfig(AppConfig):
    name = "unitapi"
    verbose_name = _("Units' API")

    def ready(self):
        from portal import registry
        from reporting.jobs import forwarding

        # After the demo staff and the clues they moved (reporting's steps 120 to 156).
        registry.add_demo_step(170, _demo_api_key)
        registry.add_demo_summary(47, _api_key_summary)
        forwarding.add_payload_link("api_url", _clue_api_url)
        registry.add_periodic_task(50, _forget_old_answers)


def _forget_old_answers():
    from .tasks import forget_old_answers

    return forget_old_answers


def _clue_api_url(clue):
    return settings.PORTAL_BASE_URL + reverse("unitapi:get_clue", args=[clue.tracking_number])


def _demo_api_key(context):
    from . import demo

    context["unit_api_key"] = demo.demo_api_key(context["people"])


def _api_key_summary(context):
    key = context["unit_api_key"]
    return (
        f"Demo API key of the Tangshan office (r130200): {key}  try: UNIT_API_KEY={key} "
        f"python scripts/unit_client.py --base {settings.PORTAL_BASE_URL} loop"
    )
