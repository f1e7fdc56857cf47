"""What stays put while an attempt runs and after: the questions as the attempt asked them,
the time-out's finish, a certificate's competition and download, and the leaderboard shown
as it is at once."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from freezegun import freeze_time

from portal.models import PortalSettings
from quizzes import services
from quizzes.models import Answer, Attempt, Question, QuestionOption, QuizPage
from tests.quizzes.test_attempt import answer, keys, question_at, start
from tests.quizzes.test_leaderboard import claim, finish

pytestmark = pytest.mark.django_db


def test_a_question_edited_during_the_attempt_is_asked_and_scored_as_it_was(client, practice):
    attempt = start(client, practice)
    question = question_at(attempt, 1)
    before = services.questions_of(attempt)[question.pk]
    right = keys(question, right=True)
    # An editor rewrites the question and moves the right answer, and publishes it.
    question.text = "改过的题目"
    if question.kind == Question.Kind.TRUE_FALSE:
        question.statement_is_true = not question.statement_is_true
    else:
        question.options = [
            QuestionOption(text=f"新{n}", correct=n == 0, sort_order=n) for n in range(4)
        ]
    question.save()
    question.save_revision().publish()
    page = client.get(reverse("quizzes:question", args=[practice.pk, 1])).content.decode()
    assert before.text in page and "改过的题目" not in page
    answer(client, practice, attempt, 1, right if len(right) > 1 else right[:1])
    assert Answer.objects.get(position=1).correct is True


def test_a_question_deleted_during_the_attempt_is_still_asked_and_counted(client, practice):
    attempt = start(client, practice)
    question = question_at(attempt, 1)
    right = keys(question, right=True)
    text = question.text
    question.delete()
    page = client.get(reverse("quizzes:question", args=[practice.pk, 1])).content.decode()
    assert text in page
    answer(client, practice, attempt, 1, right)
    stored = Answer.objects.get(position=1)
    assert stored.correct is True and stored.question_id is None


def test_time_up_on_an_answer_finishes_the_attempt_there_and_then(competition):
    with freeze_time(timezone.now()) as clock:
        attempt = services.start(competition, attempts_used=0)
        clock.tick(datetime.timedelta(minutes=11))
        with pytest.raises(services.TimeUp):
            services.answer(attempt.pk, 1, ["A"])
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline and attempt.answers.count() == 0


def test_a_certificate_keeps_its_competition_when_the_page_is_renamed_or_deleted(
    client, competition
):
    finish(client, competition, right=5)
    claim(client, competition, "改名之前")
    code = Attempt.objects.get().certificate_code
    verify = f"{reverse('quizzes:verify')}?code={code}"
    competition.title = "改过名的竞赛"
    competition.save_revision().publish()
    assert "contest" in Client().get(verify).content.decode()
    QuizPage.objects.get(pk=competition.pk).delete()
    checked = Client().get(verify).content.decode()
    assert "改名之前" in checked and "contest" in checked


def test_trying_again_keeps_the_earlier_certificate(client, competition):
    finish(client, competition, right=5)
    claim(client, competition, "先拿证书")
    url = reverse("quizzes:certificate", args=[competition.pk])
    assert client.get(url).status_code == 200
    start(client, competition)  # the second attempt allowed
    again = client.get(url)
    assert again.status_code == 200 and again["Content-Type"] == "application/pdf"
    begun = client.get(reverse("quizzes:start", args=[competition.pk])).content.decode()
    assert url in begun


def test_a_hidden_entry_leaves_the_leaderboard_at_once_for_every_reader(
    site_tree, client, competition
):
    PortalSettings.for_site(site_tree["site"])
    finish(client, competition, right=5)
    claim(client, competition, "马上隐藏")
    reader = Client()
    board = reverse("quizzes:leaderboard", args=[competition.pk])
    first = reader.get(board)
    assert "马上隐藏" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    Attempt.objects.update(hidden=True)
    assert "马上隐藏" not in reader.get(board).content.decode()


def test_topics_may_be_separated_the_chinese_way_and_must_exist(site_tree, bank):
    for question, topic in zip(
        bank, ["恶势力", "财产处置", "恶势力", "其他", "其他"], strict=True
    ):
        question.tags.add(topic)
        question.save_revision().publish()
    quiz = QuizPage(title="按主题", slug="by-topic", topics="恶势力，财产处置")
    site_tree["home"].add_child(instance=quiz)
    assert quiz.bank().count() == 3
    quiz.topics = "恶势力、没有这个主题"
    with pytest.raises(Exception) as refused:
        quiz.full_clean()
    assert "没有这个主题" in str(refused.value)
