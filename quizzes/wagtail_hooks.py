from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, importing
from .viewsets import QuizzesViewSetGroup, report_urls


@hooks.register("register_admin_viewset")
def register_quizzes_viewsets():
    return QuizzesViewSetGroup()


@hooks.register("register_admin_urls")
def register_question_report_urls():
    return report_urls()


class QuestionReportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.works_on_questions(request.user)


@hooks.register("register_reports_menu_item")
def register_question_statistics_menu_item():
    return QuestionReportMenuItem(
        _("Quiz question statistics"),
        reverse("quiz_question_statistics"),
        icon_name="table",
        order=720,
    )


@hooks.register("register_reports_menu_item")
def register_broken_citations_menu_item():
    return QuestionReportMenuItem(
        _("Quiz questions with broken citations"),
        reverse("quiz_broken_citations"),
        icon_name="warning",
        order=721,
    )


@hooks.register("construct_homepage_panels")
def add_broken_citations_panel(request, panels):
    if panel := admin_views.broken_citations_panel(request):
        panels.append(panel)


@hooks.register("register_log_actions")
def register_question_log_actions(actions):
    actions.register_action(
        importing.LOG_ACTION, _("Import from a spreadsheet"), _("Imported from a spreadsheet")
    )
