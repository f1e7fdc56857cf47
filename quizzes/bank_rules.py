"""The rules every question of the bank keeps, whoever writes it: the admin's form and the
spreadsheet import both ask these, so a question is refused for the same reasons either way.
Each function returns the problems it finds (translated sentences), an empty list when none."""

from django.utils.translation import gettext as _

from law.citations import citation

from .citations import broken, resolves, shapes
from .models import MAX_OPTIONS, Question


def option_problems(kind, options):
    """`options`: [(text, right)] in order."""
    if kind == Question.Kind.TRUE_FALSE:
        if options:
            return [
                _(
                    "A true-or-false question has no options: say whether the statement is "
                    "true instead."
                )
            ]
        return []
    problems = []
    if not 2 <= len(options) <= MAX_OPTIONS:
        problems.append(
            _("A choice question has from 2 to %(most)s options; this one has %(count)s.")
            % {"most": MAX_OPTIONS, "count": len(options)}
        )
    right = sum(1 for _text, correct in options if correct)
    if kind == Question.Kind.SINGLE and right != 1:
        problems.append(
            _("A single-choice question has exactly one right option; this one has %(count)s.")
            % {"count": right}
        )
    if kind == Question.Kind.MULTIPLE and not right:
        problems.append(_("A multiple-choice question needs at least one right option."))
    return problems


def cited(question):
    """《反有组织犯罪法》第二十二条第一款: the provision as the editor reads it."""
    reference = citation(question.article, question.paragraph, question.item)
    return question.law.specific.cite(reference) if question.law_id else reference


def citation_problems(questions):
    """{index in `questions`: [problems]} for questions whose citation the chosen law's live
    text does not have (or that cite an item without its paragraph); one query for all."""
    questions = list(questions)
    known = shapes(q for q in questions if q.law_id and q.article)
    problems = {}
    for index, question in enumerate(questions):
        if question.item is not None and question.paragraph is None:
            problems[index] = [_("An item is cited within its paragraph: give both.")]
        elif (
            question.law_id
            and question.article
            and not resolves(known.get((question.law_id, question.article)), question)
        ):
            problems[index] = [
                _("%(provision)s is not in the published text of the law.")
                % {"provision": cited(question)}
            ]
    return problems


def broken_citations():
    """The questions of the bank, drafts included, whose provision the live law lacks: one
    query for the questions and one for the articles they cite."""
    return broken(Question.objects.only("pk", "law_id", "article", "paragraph", "item"))
