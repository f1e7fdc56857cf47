"""Small builders for quiz tests: a law to cite, true-or-false questions on it, a quiz page
under a home page, and attempts made through the services' own rules."""

import datetime

from wagtail.models import Locale

from law.models import LawArticle, LawChapter, LawPage
from quizzes import services
from quizzes.models import Question, QuizPage

UTC = datetime.UTC


def law_page(home, title="测试法", slug="test-law"):
    page = LawPage(title=title, slug=slug, short_title=title)
    page.chapters = [LawChapter(number=1, title="总则")]
    page.articles = [
        LawArticle(number=n, chapter_number=1, text=f"条文{n}。") for n in range(1, 11)
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def questions(law, count, language="zh-hans"):
    """Live true-or-false questions: the even ones true, the odd ones false."""
    locale = Locale.objects.get(language_code=language)
    return [
        Question.objects.create(
            kind=Question.Kind.TRUE_FALSE,
            text=f"判断题{n}",
            statement_is_true=n % 2 == 0,
            explanation=f"理由{n}",
            law=law,
            article=n % 10 + 1,
            locale=locale,
            live=True,
        )
        for n in range(count)
    ]


def competition(home, *, title="反有组织犯罪法知识竞赛", slug="competition", **fields):
    """A published competition open from 2026-01-01 to 2027-01-01 (UTC)."""
    values = {
        "kind": QuizPage.Kind.COMPETITION,
        "questions_per_attempt": 4,
        "opens_at": datetime.datetime(2026, 1, 1, tzinfo=UTC),
        "closes_at": datetime.datetime(2027, 1, 1, tzinfo=UTC),
        "time_limit_minutes": 30,
        "attempts_allowed": 3,
        "certificate_percent": 60,
    }
    values.update(fields)
    page = QuizPage(title=title, slug=slug, **values)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def right_answer(question):
    return [option.key for option in services.options(question) if option.correct]


def wrong_answer(question):
    return [next(o.key for o in services.options(question) if not o.correct)]


def attempt(quiz, *, right, answered=None, started=None, attempts_used=0):
    """An attempt started at `started` and answered through services.answer a minute later:
    the first `right` questions right, the rest wrong; `answered` questions in all (every
    one, which finishes it, when None)."""
    started = started or datetime.datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
    made = services.start(quiz, attempts_used, now=started)
    drawn = services.questions_of(made)
    total = made.total if answered is None else answered
    for position, pk in enumerate(made.question_ids[:total], start=1):
        question = drawn[pk]
        chosen = right_answer(question) if position <= right else wrong_answer(question)
        services.answer(made.pk, position, chosen, now=started + datetime.timedelta(minutes=1))
    made.refresh_from_db()
    return made
