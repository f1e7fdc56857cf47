"""The demo's law quizzes: every question says what the official text says, in the provision
it cites; the loader publishes the bank and the two quiz pages in both languages, puts
fictional participants on the leaderboard, and changes nothing when run again."""

from datetime import timedelta
from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Locale, Revision, Workflow, WorkflowContentType

import pytest

import law.demo
from law.parser import parse
from portal.factories import UserFactory
from quizzes import citations, demo, services
from quizzes.demo_questions import QUESTIONS, TOPICS_EN
from quizzes.models import Attempt, Question, QuizPage
from reporting.models import Region

OFFICIAL = {
    article.number: article for article in parse(law.demo.OFFICIAL_TEXT.read_text()).articles()
}
CHINESE_NUMBERS = "零一二三四五六七八九"


def chinese(number):
    """第N条's numeral for 1 to 99, as the law writes it."""
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMBERS[tens] + "十")
    return head + (CHINESE_NUMBERS[units] if units else "")


def provision_text(spec):
    """The words of the provision a question cites, from the official text."""
    article = OFFICIAL[spec["article"]]
    if spec["paragraph"] is None:
        return "".join(p.text + "".join(i.text for i in p.items) for p in article.paragraphs)
    paragraph = article.paragraphs[spec["paragraph"] - 1]
    if spec["item"] is None:
        return paragraph.text + "".join(item.text for item in paragraph.items)
    return paragraph.items[spec["item"] - 1].text


@pytest.mark.parametrize("spec", QUESTIONS, ids=[spec["key"] for spec in QUESTIONS])
def test_each_question_quotes_the_provision_it_cites(spec):
    assert spec["article"] in OFFICIAL
    if spec["paragraph"] is not None:
        assert spec["paragraph"] <= len(OFFICIAL[spec["article"]].paragraphs)
    if spec["item"] is not None:
        assert spec["paragraph"] is not None
        assert spec["item"] <= len(
            OFFICIAL[spec["article"]].paragraphs[spec["paragraph"] - 1].items
        )
    assert spec["basis"] in provision_text(spec)
    # Each explanation names the article it rests on, in its language.
    assert f"第{chinese(spec['article'])}条" in spec["zh"]["explanation"]
    assert f"Article {spec['article']}" in spec["en"]["explanation"]


@pytest.mark.parametrize("spec", QUESTIONS, ids=[spec["key"] for spec in QUESTIONS])
def test_each_question_is_answerable_alike_in_both_languages(spec):
    zh, en = spec["zh"], spec["en"]
    right = [correct for _text, correct in zh["options"]]
    assert right == [correct for _text, correct in en["options"]]
    if spec["kind"] == "true_false":
        assert right == []
    elif spec["kind"] == "single":
        assert len(right) >= 3 and right.count(True) == 1
    else:
        assert right.count(True) >= 2 and right.count(False) >= 1
    assert all(topic in TOPICS_EN for topic in spec["topics"])


def test_the_bank_is_large_varied_and_keyed_once():
    assert len(QUESTIONS) >= 24
    assert {spec["kind"] for spec in QUESTIONS} == {"single", "multiple", "true_false"}
    statements = [spec["statement_is_true"] for spec in QUESTIONS if spec["kind"] == "true_false"]
    assert True in statements and False in statements
    assert len({spec["key"] for spec in QUESTIONS}) == len(QUESTIONS)
    assert len({spec["topics"][0] for spec in QUESTIONS}) >= 6


def _load():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


def _state():
    """What a second load must leave exactly as it was."""
    return {
        "questions": sorted(
            Question.objects.values_list("pk", "translation_key", "locale_id", "live", "text")
        ),
        "revisions": Revision.objects.filter(content_type__app_label="quizzes").count()
        + Revision.objects.filter(base_content_type__app_label="quizzes").count(),
        "pages": sorted(
            QuizPage.objects.values_list(
                "pk", "slug", "locale_id", "live", "opens_at", "closes_at", "latest_revision_id"
            )
        ),
        "attempts": sorted(
            Attempt.objects.values_list("pk", "score", "duration_ms", "display_name")
        ),
    }


@pytest.mark.django_db
def test_the_demo_loads_the_quizzes_once_in_both_languages(client):
    output = _load()
    zh_pages = {
        page.slug: page for page in QuizPage.objects.filter(locale__language_code="zh-hans")
    }
    practice, competition = zh_pages[demo.PRACTICE_SLUG], zh_pages[demo.COMPETITION_SLUG]

    for language in ("zh-hans", "en"):
        live = Question.objects.filter(live=True, locale__language_code=language)
        assert live.count() >= 20
        assert citations.broken(live) == []
        # Published as snippets are: with a revision that is the live one.
        assert all(q.latest_revision_id and not q.has_unpublished_changes for q in live)
    en = Locale.objects.get(language_code="en")
    # The English copies cite the English law page, at the same provision.
    english_laws = Question.objects.filter(locale=en).values_list("law__locale", flat=True)
    assert set(english_laws) == {en.pk}
    for question in Question.objects.filter(locale__language_code="zh-hans"):
        english = question.get_translation(en)
        assert question.tags.exists()
        assert {TOPICS_EN[name] for name in question.tags.names()} == set(english.tags.names())
        assert (english.article, english.paragraph, english.item) == (
            question.article,
            question.paragraph,
            question.item,
        )

    assert not practice.is_competition and practice.feedback_after_each
    assert practice.questions_per_attempt == 10 and practice.show_in_menus
    now = timezone.now()
    assert services.status(competition, now) == "open"
    assert competition.opens_at < now - timedelta(days=6)
    assert competition.closes_at > now + timedelta(days=29)
    assert (competition.time_limit_minutes, competition.questions_per_attempt) == (20, 10)
    assert (competition.attempts_allowed, competition.certificate_percent) == (2, 60)
    assert competition.leaderboard
    for page in (practice, competition):
        english = page.get_translation(en).specific
        assert page.live and english.live and english.kind == page.kind
        assert english.get_parent().locale == en

    # Both pages answer in both languages, the practice one leading to the competition.
    for path, words in (
        ("/law-quiz/", "学法答题"),
        ("/en/law-quiz/", "Law quiz"),
        ("/law-quiz-competition/", "反有组织犯罪法知识竞赛"),
        ("/en/law-quiz-competition/", "Anti-Organized Crime Law competition"),
    ):
        response = client.get(path)
        assert response.status_code == 200 and words in response.content.decode()
    assert 'href="/law-quiz-competition/"' in client.get("/law-quiz/").content.decode()
    assert 'href="/en/law-quiz-competition/"' in client.get("/en/law-quiz/").content.decode()

    # Citizens find the practice quiz in the main menu of each language.
    assert 'href="/law-quiz/"' in client.get("/").content.decode()
    assert 'href="/en/law-quiz/"' in client.get("/en/").content.decode()

    # The leaderboard: different scores, and a tie broken by the shorter time.
    board = services.leaderboard(competition)
    names = [entry.display_name for entry in board]
    assert names == ["普法小能手", "学法明理", "法治小卫士", "反黑新兵"]
    assert board[1].score == board[2].score and board[1].duration_ms < board[2].duration_ms
    assert all(entry.region and entry.region.level == Region.Level.PROVINCE for entry in board)
    assert all(entry.certificate_code for entry in board)  # 60% and more
    assert all(
        answer.question.locale_id == competition.locale_id for answer in board[0].answers.all()
    )
    shown = client.get(f"/quizzes/{competition.pk}/leaderboard/").content.decode()
    assert shown.index("普法小能手") < shown.index("学法明理") < shown.index("法治小卫士")
    english_board = services.leaderboard(competition.get_translation(en).specific)
    assert [entry.display_name for entry in english_board][:2] == ["Law Learner", "Civic Owl"]

    # The questions go through the pages' moderation workflow.
    question_type = ContentType.objects.get_for_model(Question)
    assigned = WorkflowContentType.objects.get(content_type=question_type)
    assert assigned.workflow == practice.get_workflow()

    # The blocked words are in force for display names.
    with pytest.raises(ValidationError):
        services.clean_display_name("大白痴")
    with pytest.raises(ValidationError):
        services.clean_display_name("You Idiot")
    assert services.clean_display_name("学法先锋") == "学法先锋"

    line = [row for row in output.splitlines() if row.startswith("Demo law quizzes")][-1]
    assert "/law-quiz/" in line and f"/quizzes/{competition.pk}/leaderboard/" in line

    before = _state()
    _load()
    assert _state() == before


@pytest.mark.django_db
def test_a_stale_competition_reopens_unless_an_editor_changed_it(site_tree):
    law.demo.load()
    # Without a moderation workflow for the pages, none is invented for the questions.
    Workflow.objects.all().delete()
    found = demo.load()
    assert found["workflow"] is None and not WorkflowContentType.objects.exists()
    competition, english = found["competition"]
    long_ago = timezone.now() - timedelta(days=400)

    # A database loaded long ago: the loader's own competition closed; an editor's as well.
    competition.opens_at, competition.closes_at = long_ago, long_ago + timedelta(days=37)
    competition.save_revision().publish()
    english.opens_at, english.closes_at = long_ago, long_ago + timedelta(days=37)
    english.save_revision(user=UserFactory()).publish()
    question = Question.objects.filter(locale=site_tree["home"].locale).first()
    question.text = "编辑改写的题目？"
    question.save_revision(user=UserFactory()).publish()

    demo.load()
    competition.refresh_from_db()
    english.refresh_from_db()
    assert services.status(competition) == "open"
    assert services.status(english) == "closed"
    question.refresh_from_db()
    assert question.text == "编辑改写的题目？"
    assert Question.objects.filter(translation_key=question.translation_key).count() == 2


@pytest.mark.django_db
def test_a_citation_of_a_provision_the_law_lacks_is_found_broken(site_tree):
    law.demo.load()
    demo.load()
    question = Question.objects.get(
        translation_key=demo.translation_key(QUESTIONS[0]), locale=site_tree["home"].locale
    )
    assert citations.broken([question]) == []
    # Article 2 has three paragraphs and no items; the law has 77 articles.
    for article, paragraph, item in ((2, 4, None), (2, 1, 1), (78, None, None)):
        question.article, question.paragraph, question.item = article, paragraph, item
        assert citations.broken([question]) == [question]


@pytest.mark.django_db
def test_the_blocked_words_an_editor_set_are_kept(site_tree):
    from quizzes.models import QuizSettings

    law.demo.load()
    settings = QuizSettings.load()
    settings.blocked_words = "坏词"
    settings.save()
    demo.load()
    assert QuizSettings.load().blocked_words == "坏词"
    with pytest.raises(ValidationError):
        services.clean_display_name("坏 词")
    assert services.clean_display_name("小白") == "小白"
