"""A law, a small question bank citing it, and quiz pages drawing from it."""

import datetime

from django.utils import timezone

import pytest

from law import demo as law_demo
from quizzes.models import Question, QuestionOption, QuizPage

from .bank_helpers import chief, editor, law, outsider, quiz  # noqa: F401 (fixtures)


@pytest.fixture
def law_page(site_tree):
    return law_demo.load()


def make_question(law_page, text, *, kind="single", options=(), right=(), article=2, **fields):
    """A live question; `options` in order, `right` the texts of the right ones (for a
    true-or-false question, `right=True` when the statement is true)."""
    question = Question(
        kind=kind,
        text=text,
        explanation=fields.pop("explanation", f"Because article {article} says so."),
        law=law_page,
        article=article,
        locale=law_page.locale,
        statement_is_true=bool(right) if kind == "true_false" else False,
        **fields,
    )
    question.options = [
        QuestionOption(text=option, correct=option in right, sort_order=index)
        for index, option in enumerate(options)
    ]
    question.save()
    question.save_revision().publish()
    return question


@pytest.fixture
def bank(law_page):
    """Five questions: three single choice, one multiple choice, one true-or-false."""
    return [
        make_question(law_page, f"单选题{n}", options=["甲", "乙", "丙"], right=["乙"])
        for n in range(1, 4)
    ] + [
        make_question(
            law_page,
            "多选题",
            kind="multiple",
            options=["甲", "乙", "丙", "丁"],
            right=["甲", "丙"],
        ),
        make_question(law_page, "判断题", kind="true_false", right=True, article=3),
    ]


def add_quiz(home, slug, **fields):
    page = QuizPage(title=fields.pop("title", slug), slug=slug, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def practice(site_tree, bank):
    return add_quiz(site_tree["home"], "practice", questions_per_attempt=4)


@pytest.fixture
def competition(site_tree, bank):
    now = timezone.now()
    return add_quiz(
        site_tree["home"],
        "contest",
        kind=QuizPage.Kind.COMPETITION,
        questions_per_attempt=5,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        time_limit_minutes=10,
        attempts_allowed=2,
        certificate_percent=60,
    )
