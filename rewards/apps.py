from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        from portal import registry
        from reporting.intake import status_sections
        from reporting.lifecycle import ledger

        from . import checks  # noqa: F401  (registers the system checks)

        status_sections.add(50, "rewards", _status_section)
        ledger.SCREENS["reward_payment"] = _("reward payment page")
        post_migrate.connect(_grant_reward_officers, sender=self)
        # After the demo staff and the clues they moved (reporting's steps 120 to 156).
        registry.add_demo_step(180, _demo_rewards)
        registry.add_demo_summary(50, _demo_summary)
        registry.add_periodic_task(60, _erase_expired_payment_details)
        registry.add_periodic_task(65, _check_assessment_deadlines)
        # The reward figures of the supervisors' and the public statistics pages.
        from .statistics import register_figures

        register_figures()


def _erase_expired_payment_details():
    from .tasks import erase_expired_payment_details

    return erase_expired_payment_details


def _check_assessment_deadlines():
    from .tasks import check_assessment_deadlines

    return check_assessment_deadlines


def _status_section(request, clue, form):
    from .views import status_section

    return status_section(request, clue, form)


def _grant_reward_officers(sender, **kwargs):
    """The Reward officers group (reporting.lifecycle.roles) may see the bands; superusers
    edit them."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from reporting.lifecycle.roles import GROUP_NAMES, Role

    create_permissions(sender, verbosity=0)
    group, _created = Group.objects.get_or_create(name=GROUP_NAMES[Role.REWARDS])
    group.permissions.add(
        Permission.objects.get(content_type__app_label="rewards", codename="view_rewardband")
    )


def _demo_rewards(context):
    from . import demo

    context["rewards"] = demo.demo_rewards(context["people"], context["staff_password"])
    # Listed with the other demo staff logins.
    context["people"][context["rewards"]["officer"]] = None


def _demo_summary(context):
    found = context.get("rewards")
    if not found:
        return None
    return (
        f"Demo reward claims: {settings.PORTAL_BASE_URL}/report/status/  "
        f"waiting for assessment: tracking number: {found['waiting'][0]}  "
        f"access key: {found['waiting'][1]}  "
        f"paid: tracking number: {found['paid'][0]}  access key: {found['paid'][1]}  "
        f"assessment overdue: tracking number: {found['overdue'][0]}  "
        f"access key: {found['overdue'][1]}  "
        + "".join(
            f"shared award, reporter {n}: tracking number: {number}  access key: {key}  "
            for n, (number, key) in enumerate(found["shared"], start=1)
        )
        + f"reward officer: {found['officer']}"
    )
