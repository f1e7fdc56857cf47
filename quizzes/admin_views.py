"""Admin views of the question bank: the listing (with its figures and a warning about
broken citations), the spreadsheet import, the answer statistics, the broken citations and
the named competition attempts. The rules live in importing.py, bank_rules.py,
question_statistics.py and chapters.py."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Revision, WorkflowState
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

import django_filters
from taggit.models import Tag

from law.citations import citation
from portal.exports import PortalSpreadsheetExport

from . import importing, question_statistics
from .admin_forms import ImportForm
from .bank_rules import broken_citations
from .chapters import chapter_text, with_chapter
from .models import Attempt, Question, QuizPage

EDIT_URL = "wagtailsnippets_quizzes_question:edit"
LIST_URL = "wagtailsnippets_quizzes_question:list"
# Who sees the bank's reports and import: anyone who works on questions.
QUESTION_PERMISSIONS = ["add", "change", "delete", "publish", "view"]
question_policy = ModelPermissionPolicy(Question)


def works_on_questions(user):
    return question_policy.user_has_any_permission(user, QUESTION_PERMISSIONS)


def can_publish_questions(user):
    return question_policy.user_has_permission(user, "publish")


def _cited(question):
    return citation(question.article, question.paragraph, question.item)


def _percent(question):
    return question_statistics.percent_text(question.percent_right)


def _flag(question):
    key = question_statistics.flag(question.answered, question.percent_right)
    return question_statistics.FLAGS[key] if key else ""


CITATION_COLUMN = Column("citation", label=gettext_lazy("Citation"), accessor=_cited)
ANSWERED_COLUMN = Column(
    "answered", label=gettext_lazy("Answered"), sort_key="answered", accessor="answered"
)
PERCENT_COLUMN = Column(
    "percent_right", label=gettext_lazy("% right"), sort_key="percent_right", accessor=_percent
)


def question_columns():
    """The bank listing's own columns (the title and status columns are Wagtail's)."""
    return [
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        CITATION_COLUMN,
        Column(
            "chapter",
            label=gettext_lazy("Chapter"),
            accessor=lambda q: chapter_text(q.chapter_number, q.chapter_title),
        ),
        Column(
            "topics",
            label=gettext_lazy("Topics"),
            accessor=lambda q: "、".join(tag.name for tag in q.tags.all()),
        ),
        ANSWERED_COLUMN,
        PERCENT_COLUMN,
    ]


class QuestionIndexView(SnippetIndexView):
    def get_base_queryset(self):
        questions = super().get_base_queryset()
        questions = question_statistics.with_figures(with_chapter(questions))
        # Each row's buttons ask whether a workflow is in progress: read for the page at once,
        # as Wagtail's page listing does.
        in_progress = Prefetch(
            "workflow_states",
            queryset=WorkflowState.objects.active(),
            to_attr="_current_workflow_states",
        )
        return questions.prefetch_related("tags", in_progress)

    def get_table(self, object_list):
        # The status column asks each row for a scheduled revision: read them for the whole
        # page at once.
        questions = list(object_list)
        scheduled = {}
        revisions = Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(Question),
            object_id__in=[str(question.pk) for question in questions],
            approved_go_live_at__isnull=False,
        ).order_by("-created_at", "-pk")
        for revision in revisions:
            scheduled.setdefault(revision.object_id, revision)
        for question in questions:
            question.scheduled_revision = scheduled.get(str(question.pk))
        return super().get_table(questions)

    @property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Import questions"),
                    url=reverse("quiz_questions_import"),
                    icon_name="upload",
                )
            )
        buttons.append(
            HeaderButton(
                _("Answer statistics"),
                url=reverse("quiz_question_statistics"),
                icon_name="table",
            )
        )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["broken_count"] = len(broken_citations())
        context["broken_url"] = reverse("quiz_broken_citations")
        return context


def import_questions(request):
    if not question_policy.user_has_permission(request.user, "add"):
        raise PermissionDenied
    can_publish = can_publish_questions(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, can_publish=can_publish)
    created, errors, status = [], [], 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        publish = can_publish and form.cleaned_data.get("publish", False)
        try:
            created = importing.import_questions(
                upload.name,
                upload.read(),
                law=form.cleaned_data["law"],
                locale=form.cleaned_data["locale"],
                user=request.user,
                publish=publish,
            )
        except importing.ImportRefused as refused:
            errors, status = refused.errors, 400
        else:
            message = (
                ngettext(
                    "%(count)s question imported and published.",
                    "%(count)s questions imported and published.",
                    len(created),
                )
                if publish
                else ngettext(
                    "%(count)s question imported as a draft.",
                    "%(count)s questions imported as drafts.",
                    len(created),
                )
            )
            messages.success(request, message % {"count": len(created)})
    elif request.method == "POST":
        status = 400
    title = _("Import questions")
    return TemplateResponse(
        request,
        "quizzes/admin/import.html",
        {
            "form": form,
            "created": created,
            "errors": errors,
            "columns": importing.COLUMNS,
            "required": importing.REQUIRED,
            "page_title": title,
            "header_title": title,
            "header_icon": "upload",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse(LIST_URL), "label": _("Quiz questions")},
                {"url": "", "label": _("Import")},
            ],
        },
        status=status,
    )


class QuestionReportView(ReportView):
    """A report of the question bank, for those who work on questions."""

    permission_policy = question_policy
    any_permission_required = QUESTION_PERMISSIONS
    header_icon = "help"

    def title_column(self):
        return TitleColumn("text", label=gettext_lazy("Question"), url_name=EDIT_URL, accessor=str)


def _quizzes():
    return QuizPage.objects.order_by("title")


def _topics():
    return Tag.objects.filter(quizzes_questiontag_items__isnull=False).distinct().order_by("name")


class QuestionFilterSet(WagtailFilterSet):
    tags = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Topics"),
        field_name="tags",
        queryset=lambda request: _topics(),
        distinct=True,
    )

    class Meta:
        model = Question
        fields = ["kind", "live"]


class StatisticsFilterSet(WagtailFilterSet):
    # Counts the answers given in one quiz: the rows stay the bank's questions.
    quiz = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Quiz"),
        queryset=lambda request: _quizzes(),
        empty_label=gettext_lazy("All quizzes"),
        method=lambda queryset, _name, _value: queryset,
    )

    class Meta:
        model = Question
        fields = ["kind"]


class QuestionStatisticsView(PortalSpreadsheetExport, QuestionReportView):
    page_title = gettext_lazy("Answers to quiz questions")
    header_icon = "table"
    index_url_name = "quiz_question_statistics"
    index_results_url_name = "quiz_question_statistics_results"
    filterset_class = StatisticsFilterSet
    default_ordering = "percent_right"
    list_export = ["text", "citation", "answered", "percent", "flag"]
    export_headings = {
        "text": gettext_lazy("Question"),
        "citation": gettext_lazy("Citation"),
        "answered": gettext_lazy("Answered"),
        "percent": gettext_lazy("% right"),
        "flag": gettext_lazy("Flag"),
    }

    @property
    def columns(self):
        return [
            self.title_column(),
            CITATION_COLUMN,
            ANSWERED_COLUMN,
            PERCENT_COLUMN,
            Column("flag", label=gettext_lazy("Flag"), accessor=_flag),
        ]

    def chosen_quiz(self):
        form = self.filters.form if self.filters else None
        return form.cleaned_data.get("quiz") if form is not None and form.is_valid() else None

    def get_base_queryset(self):
        quiz = self.chosen_quiz()
        questions = question_statistics.with_figures(Question.objects.all(), quiz=quiz)
        if quiz is not None:
            questions = questions.filter(answered__gt=0)
        return questions

    def order_queryset(self, queryset):
        if self.ordering not in ("percent_right", "-percent_right", "answered", "-answered"):
            return super().order_queryset(queryset)
        field = F(self.ordering.lstrip("-"))
        # Questions never answered have no percentage: last, whichever way.
        descending = self.ordering.startswith("-")
        order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
        return queryset.order_by(order, "pk")

    def to_row_dict(self, item):
        return {
            "text": item.text,
            "citation": _cited(item),
            "answered": item.answered,
            "percent": _percent(item),
            "flag": _flag(item),
        }

    def get_filename(self):
        return "quiz-question-statistics"


class BrokenCitationsView(QuestionReportView):
    page_title = gettext_lazy("Questions citing provisions the law no longer has")
    header_icon = "warning"
    index_url_name = "quiz_broken_citations"
    index_results_url_name = "quiz_broken_citations_results"

    @property
    def columns(self):
        return [
            self.title_column(),
            Column("law", label=gettext_lazy("Law"), accessor="law"),
            CITATION_COLUMN,
            BooleanColumn("live", label=gettext_lazy("Live")),
        ]

    def get_base_queryset(self):
        pks = [question.pk for question in broken_citations()]
        return Question.objects.filter(pk__in=pks).select_related("law").order_by("pk")


class BrokenCitationsPanel(Component):
    """On the admin's home page, when questions cite provisions the live law lacks."""

    name = "quiz_broken_citations"
    order = 160
    template_name = "quizzes/admin/broken_citations_panel.html"

    def __init__(self, count):
        self.count = count

    def get_context_data(self, parent_context):
        return {"count": self.count, "url": reverse("quiz_broken_citations")}


def broken_citations_panel(request):
    """The panel, or None when there is nothing to fix or the user does not work on
    questions."""
    if not works_on_questions(request.user):
        return None
    count = len(broken_citations())
    return BrokenCitationsPanel(count) if count else None


def named_attempts():
    """The attempts that can appear on a leaderboard: those a participant put a name on."""
    return Attempt.objects.exclude(display_name="")


class AttemptIndexView(IndexView):
    def get_base_queryset(self):
        attempts = super().get_base_queryset().exclude(display_name="")
        return attempts.select_related("quiz", "region")


class AttemptEditView(EditView):
    def get_queryset(self):
        return named_attempts()
