from wagtail import hooks

from .models import LedgerEntry
from .panels import ClueWorkPanel
from .viewsets import ReportingViewSetGroup


@hooks.register("register_admin_viewset")
def register_reporting_viewsets():
    return ReportingViewSetGroup()


@hooks.register("register_log_actions")
def register_clue_log_actions(actions):
    """Staff actions on clues appear in Wagtail's audit log ("Reports -> Site history")."""
    for action, label in LedgerEntry.Action.choices:
        actions.register_action(f"reporting.{action}", label, label)


@hooks.register("construct_homepage_panels")
def add_clue_work_panel(request, panels):
    """Reviewers land on what waits for them; editors without a role see nothing new."""
    if request.user.is_superuser or request.user.memberships.exists():
        panels.append(ClueWorkPanel(request.user))
