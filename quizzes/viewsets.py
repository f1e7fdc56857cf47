"""The question bank and the named competition attempts in the admin, under "Law quizzes"."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, LiveStatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_forms import AttemptForm, CitedChapterPanel, QuestionForm
from .models import Attempt, Question


def _question_panels():
    panels = list(Question.panels)
    # Right after the deciding provision, the chapter it puts the question in.
    panels.insert(6, CitedChapterPanel(heading=_("Chapter")))
    return panels


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    menu_name = "quiz_questions"
    index_view_class = admin_views.QuestionIndexView
    index_template_name = "quizzes/admin/question_index.html"
    edit_handler = ObjectList(_question_panels(), base_form_class=QuestionForm)
    # Given here, the listing's columns replace Wagtail's, status included.
    list_display = ["__str__", *admin_views.question_columns(), LiveStatusTagColumn()]
    filterset_class = admin_views.QuestionFilterSet
    search_fields = ["text", "explanation"]
    list_per_page = 50
    copy_view_enabled = True
    inspect_view_enabled = False


class AttemptViewSet(ModelViewSet):
    """Named competition attempts (leaderboard entries): an editor hides an offensive one."""

    model = Attempt
    name = "quiz_attempts"
    url_prefix = "quizzes/attempts"
    icon = "list-ol"
    menu_label = _("Leaderboard entries")
    index_view_class = admin_views.AttemptIndexView
    edit_view_class = admin_views.AttemptEditView
    form_class = AttemptForm
    form_fields = ["hidden"]
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        Column("display_name", label=_("Display name"), accessor="display_name"),
        Column("quiz", label=_("Quiz"), accessor="quiz"),
        Column("region", label=_("Province"), accessor="region"),
        Column("score", label=_("Score"), sort_key="score"),
        DateColumn("finished_at", label=_("Finished"), sort_key="finished_at"),
        BooleanColumn("hidden", label=_("Hidden")),
    ]
    list_filter = ["quiz", "hidden"]
    search_fields = ["display_name"]
    ordering = ["-finished_at"]


class QuizzesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Law quizzes")
    menu_icon = "help"
    menu_order = 320
    items = (QuestionViewSet, AttemptViewSet)


def report_urls():
    return [
        path("quizzes/import/", admin_views.import_questions, name="quiz_questions_import"),
        path(
            "quizzes/statistics/",
            admin_views.QuestionStatisticsView.as_view(),
            name="quiz_question_statistics",
        ),
        path(
            "quizzes/statistics/results/",
            admin_views.QuestionStatisticsView.as_view(results_only=True),
            name="quiz_question_statistics_results",
        ),
        path(
            "quizzes/broken-citations/",
            admin_views.BrokenCitationsView.as_view(),
            name="quiz_broken_citations",
        ),
        path(
            "quizzes/broken-citations/results/",
            admin_views.BrokenCitationsView.as_view(results_only=True),
            name="quiz_broken_citations_results",
        ),
    ]
