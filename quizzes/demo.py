"""The demo's law quizzes: the question bank of demo_questions.py in Chinese and English
(published snippets, under the pages' moderation workflow), a practice quiz and a competition
open now under each home page, the words refused in display names, and a few fictional
participants on the competition's leaderboard. Created when missing, never overwritten, so
editors' changes survive reruns."""

import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from wagtail.models import Locale, WorkflowContentType

from content.models import HomePage
from law.models import LawPage
from reporting.models import Region

from . import services
from .demo_questions import QUESTIONS, TOPICS_EN
from .models import Attempt, Question, QuestionOption, QuizPage, QuizSettings

# Translation keys derived from each question's key: the same on every database, so a rerun
# finds the questions it made (and their English copies) without a marker field.
NAMESPACE = uuid.UUID("5b0f3f7e-3c61-4a8e-9a55-6c1f0e2d7a41")
LAW_TITLE = "中华人民共和国反有组织犯罪法"
PRACTICE_SLUG = "law-quiz"
COMPETITION_SLUG = "law-quiz-competition"
OPEN_FOR = (timedelta(days=7), timedelta(days=30))  # before and after the first load

# Mild, common insults: enough for an editor to see what the setting does, not a full list.
BLOCKED_WORDS = [
    "傻逼",
    "煞笔",
    "脑残",
    "白痴",
    "智障",
    "贱人",
    "婊子",
    "王八蛋",
    "他妈的",
    "fuck",
    "shit",
    "bitch",
    "bastard",
    "asshole",
    "idiot",
    "moron",
]

PAGES = {
    COMPETITION_SLUG: {
        "fields": {
            "kind": QuizPage.Kind.COMPETITION,
            "feedback": QuizPage.Feedback.END,
            "questions_per_attempt": 10,
            "time_limit_minutes": 20,
            "attempts_allowed": 2,
            "leaderboard": True,
            "certificate_percent": 60,
            "show_in_menus": False,
        },
        "zh-hans": {
            "title": "反有组织犯罪法知识竞赛",
            "intro": "<p>（演示）每次从题库中随机抽取 10 道题，限时 20 分钟，每人可答两次。答对 60% "
            "以上可获得电子证书；交卷后可以留下昵称和所在省份，登上排行榜。"
            "每道题都注明所依据的法律条文。</p>",
        },
        "en": {
            "title": "Anti-Organized Crime Law competition",
            "intro": "<p>(Demo) Ten questions drawn at random, 20 minutes, two attempts each. "
            "Get 60% right for a certificate; when you finish you may add a display name and "
            "your province to appear on the leaderboard. Every question cites the article "
            "that decides it.</p>",
        },
    },
    PRACTICE_SLUG: {
        "fields": {
            "kind": QuizPage.Kind.PRACTICE,
            "feedback": QuizPage.Feedback.EACH,
            "questions_per_attempt": 10,
            "show_in_menus": True,
        },
        "zh-hans": {
            "title": "学法答题",
            "intro": "<p>每次 10 道题，答完一题即显示正确答案和所依据的法律条文，可以反复练习。"
            '准备好了，欢迎参加<a linktype="page" id="{competition}">知识竞赛</a>。</p>',
        },
        "en": {
            "title": "Law quiz",
            "intro": "<p>Ten questions at a time; after each answer you see the right one and "
            "the article behind it. Practise as often as you like, then try the "
            '<a linktype="page" id="{competition}">competition</a>.</p>',
        },
    },
}

# Fictional participants: (display name, province code, questions right of 10, seconds
# taken, days ago). Two in each language share a score, so the time breaks the tie.
LEADERBOARD = {
    "zh-hans": [
        ("普法小能手", "110000", 10, 252, 6),
        ("学法明理", "130000", 9, 331, 5),
        ("法治小卫士", "440000", 9, 425, 3),
        ("反黑新兵", "310000", 6, 610, 1),
    ],
    "en": [
        ("Law Learner", "310000", 9, 298, 4),
        ("Civic Owl", "440000", 9, 377, 2),
        ("Curious Reader", "110000", 7, 540, 1),
    ],
}


def translation_key(spec):
    return uuid.uuid5(NAMESPACE, spec["key"])


def _topics(spec, language):
    return [TOPICS_EN[name] if language == "en" else name for name in spec["topics"]]


def _question(spec, language, locale, law):
    """The question in this language, published with a revision, unless it exists."""
    key = translation_key(spec)
    if Question.objects.filter(translation_key=key, locale=locale).exists():
        return False
    words = spec[language]
    question = Question(
        translation_key=key,
        locale=locale,
        kind=spec["kind"],
        text=words["text"],
        statement_is_true=spec["statement_is_true"],
        explanation=words["explanation"],
        law=law,
        article=spec["article"],
        paragraph=spec["paragraph"],
        item=spec["item"],
        live=False,
    )
    question.options = [
        QuestionOption(text=text, correct=correct, sort_order=order)
        for order, (text, correct) in enumerate(words["options"])
    ]
    question.tags.add(*_topics(spec, language))
    question.full_clean()
    question.save()
    question.save_revision().publish()
    return True


def _moderate_questions(home):
    """The question snippets go through the workflow the demo gives pages (portal/demo.py),
    unless an editor already chose one for them; None when the pages have none."""
    workflow = home.get_workflow()
    if workflow is None:
        return None
    content_type = ContentType.objects.get_for_model(Question)
    WorkflowContentType.objects.get_or_create(
        content_type=content_type, defaults={"workflow": workflow}
    )
    return workflow


def _loader_only(page):
    """Whether every revision of the page is the loader's own (made without a user)."""
    return not page.revisions.exclude(user=None).exists()


def _keep_open(page, now):
    """A demo competition nobody has edited is moved to be open again when a database
    loaded long ago is loaded once more; one that is open is left as it is."""
    if services.status(page, now) == "open" or not _loader_only(page):
        return
    page.opens_at, page.closes_at = now - OPEN_FOR[0], now + OPEN_FOR[1]
    page.save_revision().publish()


def _page(home, english_home, slug, links, now):
    spec = PAGES[slug]
    zh, en = home.locale, english_home.locale
    page = QuizPage.objects.child_of(home).filter(slug=slug).first()
    if page is None:
        page = QuizPage(slug=slug, locale=zh, **spec["fields"])
        page.title = spec["zh-hans"]["title"]
        page.intro = spec["zh-hans"]["intro"].format(**links.get("zh-hans", {}))
        if page.is_competition:
            page.opens_at, page.closes_at = now - OPEN_FOR[0], now + OPEN_FOR[1]
        home.add_child(instance=page)
        page.save_revision().publish()
    elif page.is_competition:
        _keep_open(page, now)
    english = page.get_translation_or_none(en)
    if english is None:
        english = page.copy_for_translation(en)
        english.title = spec["en"]["title"]
        english.intro = spec["en"]["intro"].format(**links.get("en", {}))
        english.save_revision().publish()
    elif english.is_competition:
        _keep_open(english, now)
    return page, english.specific


def _blocked_words():
    quiz_settings = QuizSettings.load()
    if not quiz_settings.blocked_words.strip():
        quiz_settings.blocked_words = "\n".join(BLOCKED_WORDS)
        quiz_settings.save()


@transaction.atomic
def load():
    """The question bank, the settings and the two quiz pages in each language; returns
    {"practice": (zh, en), "competition": (zh, en), "workflow": workflow or None}."""
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh, depth=2)
    english_home = home.get_translation(en)
    law = LawPage.objects.get(locale=zh, title=LAW_TITLE)
    english_law = law.get_translation_or_none(en) or law
    _blocked_words()
    for spec in QUESTIONS:
        _question(spec, "zh", zh, law)
        _question(spec, "en", en, english_law)
    workflow = _moderate_questions(home)
    now = timezone.now()
    competition = _page(home, english_home, COMPETITION_SLUG, {}, now)
    links = {
        "zh-hans": {"competition": competition[0].pk},
        "en": {"competition": competition[1].pk},
    }
    practice = _page(home, english_home, PRACTICE_SLUG, links, now)
    return {"practice": practice, "competition": competition, "workflow": workflow}


def _chosen(question, right):
    """The keys a participant who gets it right (or wrong) chooses."""
    offered = services.options(question)
    if right:
        return [option.key for option in offered if option.correct]
    return [next(option.key for option in offered if not option.correct)]


def _participate(quiz, name, region, score, seconds, started):
    """A finished, named attempt made as a participant makes one: drawn, answered question
    by question at its own moment, then put on the leaderboard."""
    attempt = services.start(quiz, attempts_used=0, now=started)
    questions = services.questions_of(attempt)
    for position, pk in enumerate(attempt.question_ids, start=1):
        at = started + timedelta(seconds=seconds * position / attempt.total)
        chosen = _chosen(questions[pk], right=position <= score)
        services.answer(attempt.pk, position, chosen, now=at)
    return services.claim(attempt.pk, display_name=name, region=region, on_leaderboard=True)


@transaction.atomic
def load_leaderboard():
    """The fictional participants of each language's competition, unless they are there."""
    now = timezone.now()
    made = 0
    for competition in QuizPage.objects.filter(
        slug=COMPETITION_SLUG, kind=QuizPage.Kind.COMPETITION
    ):
        entries = LEADERBOARD.get(competition.locale.language_code, [])
        for name, code, score, seconds, days in entries:
            if Attempt.objects.filter(quiz=competition, display_name=name).exists():
                continue
            started = now - timedelta(days=days, hours=2)
            if services.status(competition, started) != "open":
                continue
            region = Region.objects.filter(code=code).first()
            _participate(competition, name, region, score, seconds, started)
            made += 1
    return made
