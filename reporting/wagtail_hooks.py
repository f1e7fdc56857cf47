from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from reporting.admin import protection as protection_views
from reporting.admin.dashboard import ClueWorkPanel
from reporting.admin.statistics import statistics_view, supervises
from reporting.admin.viewsets import ReportingViewSetGroup

from .models import LedgerEntry


@hooks.register("register_admin_viewset")
def register_reporting_viewsets():
    return ReportingViewSetGroup()


@hooks.register("insert_global_admin_css")
def clue_queue_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-clues.css"))


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


class StatisticsMenuItem(MenuItem):
    """Shown to supervisors (and superusers): the figures are of the subtrees they supervise."""

    def is_shown(self, request):
        return supervises(request.user)


@hooks.register("register_admin_urls")
def register_statistics_url():
    return [path("reporting/statistics/", statistics_view, name="clue_statistics")]


@hooks.register("register_admin_urls")
def register_protection_urls():
    return [
        path(
            "reporting/protection/<int:pk>/",
            protection_views.request_page,
            name="protection_request",
        ),
        path(
            "reporting/protection/<int:pk>/measures/",
            protection_views.record_measures,
            name="protection_measures",
        ),
        path(
            "reporting/protection/<int:pk>/answer/",
            protection_views.answer,
            name="protection_answer",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(
        _("Statistics"), reverse("clue_statistics"), icon_name="table", order=305
    )
