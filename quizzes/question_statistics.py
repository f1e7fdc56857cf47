"""How often each question of the bank is answered right, for editors looking for questions
that are too easy, too hard or misleading. Counted from the answers in the database, as
annotations of a question queryset: a listing costs the same few queries however long."""

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from .models import Answer

# Below this many answers a percentage says more about chance than about the question.
MIN_ANSWERS = 20
TOO_EASY_PERCENT = 95
TOO_HARD_PERCENT = 30
FLAGS = {
    "too_easy": _("too easy"),
    "too_hard": _("too hard or misleading"),
}


def _count(answers):
    counted = answers.order_by().values("question").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_figures(questions, quiz=None):
    """The questions annotated with `answered`, `answered_right` and `percent_right` (None
    when never answered); counted in one quiz's attempts when `quiz` is given. Subqueries,
    not joins: a listing filtered by topic joins the tags, which would multiply a join's
    counts."""
    answers = Answer.objects.filter(question=OuterRef("pk"))
    if quiz is not None:
        answers = answers.filter(attempt__quiz=quiz)
    return questions.annotate(
        answered=_count(answers),
        answered_right=_count(answers.filter(correct=True)),
    ).annotate(
        percent_right=Cast(F("answered_right"), FloatField())
        * 100.0
        / NullIf(Cast(F("answered"), FloatField()), 0.0)
    )


def flag(answered, percent_right):
    """'too_easy', 'too_hard' or None, once a question has been answered often enough."""
    if answered is None or answered < MIN_ANSWERS or percent_right is None:
        return None
    if percent_right >= TOO_EASY_PERCENT:
        return "too_easy"
    if percent_right <= TOO_HARD_PERCENT:
        return "too_hard"
    return None


def percent_text(percent_right):
    return "—" if percent_right is None else f"{percent_right:.0f}%"
