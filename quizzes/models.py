"""Law quizzes: a question bank (snippets, moderated, translatable) whose every question cites
the provision of the law that decides it, quiz pages that draw from it (practice, or a
competition with a window, a time limit and a leaderboard), and the attempts made on them.

An attempt belongs to nobody: the browser's session holds its id, and the attempt holds only
what the participant chose to give (a display name, a province) once it is finished."""

import re
import uuid

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase

from law.models import LawArticle
from portal.restrictions import PortalPage
from search.fields import segmented

QUESTION_MAX_LENGTH = 500
OPTION_MAX_LENGTH = 200
EXPLANATION_MAX_LENGTH = 1000
MAX_OPTIONS = 6
DISPLAY_NAME_MAX_LENGTH = 20
# Option keys as the page and the import write them: A, B, C ...
OPTION_KEYS = "ABCDEF"


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Question(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    TranslatableMixin,
    index.Indexed,
    ClusterableModel,
):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        TRUE_FALSE = "true_false", _("true or false")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    statement_is_true = models.BooleanField(
        _("the statement is true"),
        default=False,
        help_text=_("For a true-or-false question only: tick when the statement is true."),
    )
    explanation = models.TextField(
        _("explanation"),
        max_length=EXPLANATION_MAX_LENGTH,
        help_text=_("Why the right answer is right, shown after the answer."),
    )
    law = models.ForeignKey(
        "law.LawPage",
        verbose_name=_("law"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The law whose provision decides the answer."),
    )
    article = models.PositiveSmallIntegerField(
        _("article"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    paragraph = models.PositiveSmallIntegerField(
        _("paragraph (款)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Empty to cite the whole article."),
    )
    item = models.PositiveSmallIntegerField(
        _("item (项)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Empty to cite the whole paragraph. An item needs its paragraph."),
    )
    tags = ClusterTaggableManager(
        through=QuestionTag,
        blank=True,
        verbose_name=_("topics"),
        help_text=_("Topics a quiz can draw from, e.g. 黑社会性质组织, 财产处置."),
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="quiz_question")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="quiz_question",
        for_concrete_model=False,
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("text"),
        InlinePanel(
            "options",
            heading=_("Options"),
            label=_("option"),
            max_num=MAX_OPTIONS,
            help_text=_(
                "For single and multiple choice: two to six options, tick the right ones."
            ),
        ),
        FieldPanel("statement_is_true"),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [
                FieldPanel("law"),
                FieldRowPanel(
                    [FieldPanel("article"), FieldPanel("paragraph"), FieldPanel("item")]
                ),
            ],
            heading=_("Deciding provision"),
        ),
        FieldPanel("tags"),
    ]
    search_fields = [
        *segmented(index.SearchField("text"), index.SearchField("explanation")),
        index.FilterField("kind"),
        index.FilterField("article"),
        index.FilterField("locale"),
        index.FilterField("live"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["article", "paragraph", "item", "pk"]

    @property
    def revisions(self):
        return self._revisions

    def __str__(self):
        return self.text if len(self.text) <= 60 else self.text[:59] + "…"

    def clean(self):
        super().clean()
        if self.item is not None and self.paragraph is None:
            raise ValidationError({"item": _("An item is cited within its paragraph: give both.")})


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=OPTION_MAX_LENGTH)
    correct = models.BooleanField(_("right answer"), default=False)

    panels = [FieldRowPanel([FieldPanel("text"), FieldPanel("correct")])]

    class Meta(Orderable.Meta):
        verbose_name = _("option")


class QuizPage(PortalPage):
    """A quiz: its landing page (kept in the page cache like other content) and the routes of
    an attempt (views.py), which are rendered for their participant only."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("practice")
        COMPETITION = "competition", _("competition")

    class Feedback(models.TextChoices):
        EACH = "each", _("after each answer")
        END = "end", _("at the end")

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PRACTICE)
    feedback = models.CharField(
        _("show the right answers"),
        max_length=6,
        choices=Feedback.choices,
        default=Feedback.EACH,
        help_text=_("A competition shows them at the end, whatever is chosen here."),
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    topics = models.CharField(
        _("draw from topics"),
        max_length=300,
        blank=True,
        help_text=_("Topics of the question bank, separated by commas. Empty: every topic."),
    )
    chapters = models.CharField(
        _("draw from chapters"),
        max_length=100,
        blank=True,
        help_text=_("Numbers of the law's chapters, e.g. 1, 3. Empty: every chapter."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts per participant"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Counted per browser: there are no accounts."),
    )
    leaderboard = models.BooleanField(
        _("show a leaderboard"),
        default=True,
        help_text=_("Display names chosen by participants who ask to appear on it."),
    )
    certificate_percent = models.PositiveSmallIntegerField(
        _("certificate from (percent right)"),
        default=60,
        validators=[MaxValueValidator(100)],
        help_text=_("The score that earns a certificate; 0 gives one to every participant."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("questions_per_attempt"),
                FieldPanel("topics"),
                FieldPanel("chapters"),
                FieldPanel("feedback"),
            ],
            heading=_("Questions"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("time_limit_minutes"),
                FieldPanel("attempts_allowed"),
                FieldPanel("leaderboard"),
                FieldPanel("certificate_percent"),
            ],
            heading=_("Competition"),
            help_text=_("Used when the kind is competition."),
        ),
    ]
    search_fields = segmented(*Page.search_fields, index.SearchField("intro"))

    template = "quizzes/quiz_page.html"
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def chinese_title(self):
        """The title a Chinese reader knows the quiz by (certificates are printed in Chinese):
        its own on a Chinese page, else its live Chinese translation's, else its own."""
        if self.locale.language_code == "zh-hans":
            return self.title
        chinese = self.get_translations().live().filter(locale__language_code="zh-hans").first()
        return chinese.title if chinese else self.title

    @property
    def is_competition(self):
        return self.kind == self.Kind.COMPETITION

    @property
    def feedback_after_each(self):
        return not self.is_competition and self.feedback == self.Feedback.EACH

    def topic_names(self):
        """The topics, separated as editors write them: commas (either width), 、 or ；."""
        return [name.strip() for name in re.split(r"[,，、;；]", self.topics) if name.strip()]

    def chapter_numbers(self):
        return [
            int(value) for value in self.chapters.replace("，", ",").split(",") if value.strip()
        ]

    def clean(self):
        super().clean()
        self.check_rules()

    def bank(self):
        """The live questions this quiz draws from: in its language, of its topics and of
        its chapters (the chapters of the live law that holds each cited article)."""
        questions = Question.objects.filter(live=True, locale_id=self.locale_id)
        if topics := self.topic_names():
            questions = questions.filter(tags__name__in=topics).distinct()
        if chapters := self.chapter_numbers():
            in_chapters = LawArticle.objects.filter(
                page_id=models.OuterRef("law_id"),
                number=models.OuterRef("article"),
                chapter_number__in=chapters,
            )
            questions = questions.filter(models.Exists(in_chapters))
        return questions

    def check_rules(self):
        """The page's own rules, for its edit form: refused with the field to fix."""
        errors = {}
        try:
            chapters = self.chapter_numbers()
        except ValueError:
            errors["chapters"] = _("Write chapter numbers separated by commas, e.g. 1, 3.")
        else:
            if any(number < 1 or number > 999 for number in chapters):
                errors["chapters"] = _("Chapter numbers run from 1 to 999.")
        if topics := self.topic_names():
            known = set(
                QuestionTag.objects.filter(tag__name__in=topics).values_list(
                    "tag__name", flat=True
                )
            )
            if unknown := [topic for topic in topics if topic not in known]:
                errors["topics"] = _("No question of the bank has the topic: %(topics)s.") % {
                    "topics": "、".join(unknown)
                }
        if self.is_competition:
            if not self.opens_at or not self.closes_at:
                errors["opens_at"] = _("A competition needs the dates it opens and closes.")
            elif self.closes_at <= self.opens_at:
                errors["closes_at"] = _("A competition must close after it opens.")
            if not self.time_limit_minutes:
                errors["time_limit_minutes"] = _("A competition needs a time limit.")
            if not errors and self.locale_id:
                held = self.bank().count()
                if held < self.questions_per_attempt:
                    errors["questions_per_attempt"] = ngettext(
                        "The question bank holds %(held)s live question for this competition; "
                        "draw at most that many, or publish more questions first.",
                        "The question bank holds %(held)s live questions for this competition; "
                        "draw at most that many, or publish more questions first.",
                        held,
                    ) % {"held": held}
        if errors:
            raise ValidationError(errors)


class Attempt(models.Model):
    """One run through a quiz. Its id is in the participant's session only; nothing here says
    who made it or from where."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SET_NULL: deleting a competition's page leaves its certificates valid.
    quiz = models.ForeignKey(
        QuizPage, null=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    # The questions drawn, in the order asked: pks of the bank's questions.
    question_ids = models.JSONField(default=list)
    # The same questions as they were when the attempt started (text, options, which are
    # right, citation), so that an editor's change during the attempt neither changes what it
    # asks nor how it is scored. Never sent to the participant's browser before an answer.
    asked = models.JSONField(default=list, editable=False)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    # From the start to the last answer (or the deadline), for breaking ties.
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    display_name = models.CharField(
        _("display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True
    )
    region = models.ForeignKey(
        "reporting.Region",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_leaderboard = models.BooleanField(_("on the leaderboard"), default=False)
    hidden = models.BooleanField(
        _("hidden by an editor"),
        default=False,
        help_text=_("Kept off the leaderboard; the certificate stays valid."),
    )
    certificate_code = models.CharField(
        _("certificate code"), max_length=12, unique=True, null=True, blank=True
    )
    # The competition's title as the certificate printed it: renaming or deleting the page
    # later leaves what the verification page confirms unchanged.
    certificate_title = models.CharField(
        _("competition on the certificate"), max_length=255, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [
            models.Index(
                fields=["quiz", "-score", "duration_ms", "finished_at"],
                name="quizzes_attempt_ranking",
            )
        ]

    def __str__(self):
        return self.display_name or str(self.id)[:8]

    @property
    def total(self):
        return len(self.question_ids)


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    # SET_NULL: deleting a question from the bank keeps the attempts' scores as they were.
    question = models.ForeignKey(
        Question, null=True, on_delete=models.SET_NULL, related_name="answers"
    )
    position = models.PositiveSmallIntegerField()
    # The keys chosen (A, C; or true/false), as the page offered them.
    chosen = models.JSONField(default=list)
    correct = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("quiz answer")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="quizzes_answer_once_per_position"
            )
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"


@register_setting(icon="help")
class QuizSettings(BaseGenericSetting):
    blocked_words = models.TextField(
        _("words refused in display names"),
        blank=True,
        help_text=_(
            "One word or phrase per line. A display name that contains one, ignoring case, "
            "spaces and punctuation, is refused."
        ),
    )

    panels = [FieldPanel("blocked_words")]

    class Meta:
        verbose_name = _("quiz settings")
