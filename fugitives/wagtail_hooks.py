from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from .services import LOG_ACTION


@hooks.register("register_log_actions")
def register_withdrawal_log_action(actions):
    """The scheduled withdrawal of a notice's details, in the page's history."""
    actions.register_action(
        LOG_ACTION,
        _("Withdraw the notice's personal details"),
        _("Personal details withdrawn from the notice"),
    )
