"""What the question bank's admin tests share: a small published law, questions citing it,
a quiz drawing from them, and the editors who work on them. Fixtures are imported by the
test modules that use them."""

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail.models import Locale
from wagtail.users.models import UserProfile

import pytest

from law.importer import create_law, import_into, parsed
from portal.factories import UserFactory
from quizzes.models import Answer, Attempt, Question, QuestionOption, QuizPage

# Two chapters; article 2 has two paragraphs, the first with two items; article 4 is the one
# a later text drops.
LAW_TEXT = """中华人民共和国示例法
（2030年1月1日示例会议通过）
目　　录
第一章　总　　则
第二章　法律责任
第一章　总　　则
第一条　为了示例，制定本法。
第二条　本法所称示例，是指下列情形：
（一）第一种情形；
（二）第二种情形。
前款规定的情形，适用第一条。
第二章　法律责任
第三条　违反本法的，依法追究责任。
第四条　本法自公布之日起施行。
"""
WITHOUT_ARTICLE_4 = LAW_TEXT.replace("第四条　本法自公布之日起施行。\n", "")


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def reimport(law, text, user=None):
    """A new text of the law, published: its rows are replaced by new ones."""
    import_into(law, parsed(text), user=user, publish=True)
    law.refresh_from_db()
    return law


@pytest.fixture
def law(site_tree):
    return create_law(site_tree["home"], parsed(LAW_TEXT), publish=True)


@pytest.fixture
def quiz(site_tree):
    page = QuizPage(title="示例测验", slug="quiz", questions_per_attempt=5)
    site_tree["home"].add_child(instance=page)
    page.save_revision().publish()
    return QuizPage.objects.get(pk=page.pk)


def make_question(law, *, text="示例问题", article=2, paragraph=1, item=None, live=True, **kw):
    kind = kw.pop("kind", Question.Kind.SINGLE)
    options = kw.pop("options", [("甲", True), ("乙", False)])
    topics = kw.pop("topics", [])
    question = Question(
        law=law,
        locale=Locale.get_default(),
        kind=kind,
        text=text,
        explanation="依照本法规定。",
        article=article,
        paragraph=paragraph,
        item=item,
        live=live,
        **kw,
    )
    if kind != Question.Kind.TRUE_FALSE:
        question.options = [
            QuestionOption(text=option, correct=right, sort_order=index)
            for index, (option, right) in enumerate(options)
        ]
    if topics:
        question.tags.set(topics)
    question.save()
    return question


def answer_many(question, quiz, right, wrong):
    """`right` right and `wrong` wrong answers to the question, each in its own attempt."""
    now = timezone.now()
    for correct in [True] * right + [False] * wrong:
        attempt = Attempt.objects.create(quiz=quiz, question_ids=[question.pk], started_at=now)
        Answer.objects.create(
            attempt=attempt, question=question, position=1, correct=correct, answered_at=now
        )


def _member(username, codenames):
    user = UserFactory(username=username, is_staff=True)
    group = Group.objects.create(name=f"{username} group")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["quizzes", "wagtailadmin"], codename__in=codenames
        )
    )
    user.groups.add(group)
    return in_english(user)


@pytest.fixture
def editor(db):
    """May write questions, not publish them."""
    return _member(
        "question-writer", ["access_admin", "add_question", "change_question", "view_question"]
    )


@pytest.fixture
def outsider(db):
    """Signs in to the admin, works on no question."""
    return _member("outsider", ["access_admin"])


@pytest.fixture
def chief(superuser):
    return in_english(superuser)
