"""A whole attempt through HTTP, without scripts: start, one question per page, feedback,
result; the rules decided on the server (window, time limit, attempts); the answers never in
the page before they are given; and every bad input refused without losing anything."""

import datetime
import re
import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import Locale

import pytest
from freezegun import freeze_time

from portal.models import PortalSettings
from quizzes import services
from quizzes.models import Answer, Attempt, Question, QuizPage
from tests.quizzes.conftest import add_quiz
from tests.site.page_cache.helpers import cached

pytestmark = pytest.mark.django_db

ANSWER_INPUT = re.compile(r'<input[^>]*name="answer"[^>]*>')


def start(client, quiz):
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("quizzes:question", args=[quiz.pk, 1])
    return Attempt.objects.get(pk=client.session["quizzes"][str(quiz.pk)]["attempt"])


def question_at(attempt, position):
    return Question.objects.get(pk=attempt.question_ids[position - 1])


def keys(question, *, right):
    return [option.key for option in services.options(question) if option.correct == right]


def answer(client, quiz, attempt, position, chosen):
    return client.post(
        reverse("quizzes:question", args=[quiz.pk, position]),
        {"attempt": str(attempt.pk), "answer": chosen},
    )


def test_a_whole_practice_attempt_with_feedback_after_each_answer(client, practice):
    landing = client.get(practice.url)
    assert reverse("quizzes:start", args=[practice.pk]) in landing.content.decode()
    assert client.get(reverse("quizzes:start", args=[practice.pk])).status_code == 200
    attempt = start(client, practice)
    assert attempt.total == 4
    for position in range(1, 5):
        page = client.get(reverse("quizzes:question", args=[practice.pk, position]))
        html = page.content.decode()
        assert _("Question %(position)s of %(total)s") % {"position": position, "total": 4} in html
        question = question_at(attempt, position)
        # Wrong on the first question, right on the others.
        chosen = keys(question, right=position != 1)[:1]
        if question.kind == Question.Kind.MULTIPLE and position != 1:
            chosen = keys(question, right=True)
        response = answer(client, practice, attempt, position, chosen)
        assert response["Location"] == reverse("quizzes:question", args=[practice.pk, position])
        feedback = client.get(response["Location"]).content.decode()
        assert question.explanation in feedback
        # The citation links to the provision's anchor on its article page.
        assert f'/law/article-{question.article}/#article-{question.article}"' in feedback
        assert f"《反有组织犯罪法》第{'二' if question.article == 2 else '三'}条" in feedback
    attempt.refresh_from_db()
    assert attempt.finished_at and attempt.score == 3
    result = client.get(reverse("quizzes:result", args=[practice.pk])).content.decode()
    assert "4" in result and question_at(attempt, 1).text in result
    # The wrong answer is listed with its explanation and where the law says it.
    wrong = result.index(question_at(attempt, 1).text)
    assert question_at(attempt, 1).explanation in result[wrong:]


def test_the_right_answer_is_never_in_the_question_page(client, practice):
    attempt = start(client, practice)
    for position in range(1, attempt.total + 1):
        html = client.get(reverse("quizzes:question", args=[practice.pk, position])).content
        inputs = ANSWER_INPUT.findall(html.decode())
        assert len(inputs) >= 2
        # Every option's input is the same but for its value and id: nothing marks the right one.
        shapes = {re.sub(r'(value|id)="[^"]*"', "", tag) for tag in inputs}
        assert len(shapes) == 1, shapes
        question = question_at(attempt, position)
        answer(client, practice, attempt, position, keys(question, right=False)[:1])


def test_feedback_at_the_end_moves_straight_on_and_shows_all_in_the_result(
    client, site_tree, bank
):
    quiz = add_quiz(site_tree["home"], "end", questions_per_attempt=3, feedback="end")
    attempt = start(client, quiz)
    response = answer(client, quiz, attempt, 1, keys(question_at(attempt, 1), right=True))
    assert response["Location"] == reverse("quizzes:question", args=[quiz.pk, 2])
    # An answered question is not shown again: its right answer would be.
    again = client.get(reverse("quizzes:question", args=[quiz.pk, 1]))
    assert again["Location"] == reverse("quizzes:question", args=[quiz.pk, 2])
    assert (
        question_at(attempt, 1).explanation not in client.get(again["Location"]).content.decode()
    )


def test_the_landing_page_is_served_from_the_page_cache(
    site_tree, practice, django_assert_num_queries
):
    PortalSettings.for_site(site_tree["site"])
    reader = Client()
    page = cached(reader, practice.url, django_assert_num_queries)
    assert "csrfmiddlewaretoken" not in page.content.decode()


def test_the_english_attempt(client, practice):
    english = practice.copy_for_translation(Locale.objects.get(language_code="en"))
    english.save_revision().publish()
    # The English quiz draws from the English bank, which is empty here.
    response = client.post(f"/en/quizzes/{english.pk}/start/")
    assert response.status_code == 409
    assert "This quiz has no questions yet" in response.content.decode()
    response = client.get(f"/en/quizzes/{practice.pk}/start/")
    assert "Begin" in response.content.decode()


# The competition's rules, decided on the server with a clock the test moves.


def test_a_competition_outside_its_window_refuses_to_start(client, competition):
    with freeze_time(competition.opens_at - datetime.timedelta(minutes=1)):
        response = client.post(reverse("quizzes:start", args=[competition.pk]))
        assert response.status_code == 409
        assert _("This competition has not opened yet.") in response.content.decode()
    with freeze_time(competition.closes_at):
        response = client.post(reverse("quizzes:start", args=[competition.pk]))
        assert response.status_code == 409
    assert not Attempt.objects.exists()


def test_over_the_time_limit_the_attempt_ends_at_its_deadline(client, competition):
    began = timezone.now()
    with freeze_time(began) as clock:
        attempt = start(client, competition)
        assert attempt.deadline == began + datetime.timedelta(minutes=10)
        answer(client, competition, attempt, 1, keys(question_at(attempt, 1), right=True))
        clock.tick(datetime.timedelta(minutes=10, seconds=1))
        late = answer(client, competition, attempt, 2, keys(question_at(attempt, 2), right=True))
        assert late["Location"] == reverse("quizzes:result", args=[competition.pk])
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline
    assert attempt.duration_ms == 10 * 60 * 1000
    assert attempt.score == 1 and attempt.answers.count() == 1
    result = client.get(late["Location"]).content.decode()
    said = _("You answered %(score)s of %(total)s questions right.") % {"score": 1, "total": 5}
    assert said in result
    assert _("Time is up. Your answers so far have been counted.") in result


def test_the_deadline_is_decided_on_the_server_even_when_nobody_answers(client, competition):
    with freeze_time(timezone.now()) as clock:
        attempt = start(client, competition)
        clock.tick(datetime.timedelta(hours=1))
        page = client.get(reverse("quizzes:question", args=[competition.pk, 1]))
        assert page["Location"] == reverse("quizzes:result", args=[competition.pk])
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline and attempt.score == 0


def test_a_second_attempt_when_allowed_and_not_a_third(client, competition):
    for _round in range(2):
        attempt = start(client, competition)
        for position in range(1, attempt.total + 1):
            answer(
                client,
                competition,
                attempt,
                position,
                keys(question_at(attempt, position), right=False)[:1],
            )
        attempt.refresh_from_db()
        assert attempt.finished_at
    third = client.post(reverse("quizzes:start", args=[competition.pk]))
    assert third.status_code == 409
    assert Attempt.objects.count() == 2


def test_starting_again_during_an_attempt_continues_it(client, competition):
    attempt = start(client, competition)
    again = client.post(reverse("quizzes:start", args=[competition.pk]))
    assert again["Location"] == reverse("quizzes:question", args=[competition.pk, 1])
    assert Attempt.objects.count() == 1 and attempt


# Bad inputs: refused with a clear message, nothing recorded, nothing lost.


def test_a_question_not_in_the_attempt(client, practice):
    attempt = start(client, practice)
    assert answer(client, practice, attempt, 99, ["A"]).status_code == 404
    assert answer(client, practice, attempt, 0, ["A"]).status_code == 404
    assert not Answer.objects.exists()


def test_a_later_question_before_this_one_is_answered(client, practice):
    attempt = start(client, practice)
    response = answer(client, practice, attempt, 3, ["A"])
    assert response["Location"] == reverse("quizzes:question", args=[practice.pk, 1])
    assert not Answer.objects.exists()


def test_a_forged_attempt_id(client, practice):
    attempt = start(client, practice)
    # An answer the question offers, whatever kind of question was drawn first.
    offered = keys(question_at(attempt, 1), right=True)[0]
    forged = client.post(
        reverse("quizzes:question", args=[practice.pk, 1]),
        {"attempt": str(uuid.uuid4()), "answer": offered},
    )
    assert forged.status_code == 409
    assert not Answer.objects.exists()
    malformed = client.post(
        reverse("quizzes:question", args=[practice.pk, 1]),
        {"attempt": "not-a-uuid'\x00", "answer": "A"},
    )
    assert malformed.status_code == 400
    assert not Answer.objects.exists() and attempt


def test_an_attempt_id_of_another_browser_is_not_taken(client, practice):
    other = Client()
    theirs = start(other, practice)
    response = client.get(reverse("quizzes:question", args=[practice.pk, 1]))
    assert response["Location"] == reverse("quizzes:start", args=[practice.pk])
    response = client.post(
        reverse("quizzes:question", args=[practice.pk, 1]),
        {"attempt": str(theirs.pk), "answer": "A"},
    )
    assert response.status_code == 302 and not Answer.objects.exists()


def test_an_answer_posted_twice_counts_once(client, practice):
    attempt = start(client, practice)
    question = question_at(attempt, 1)
    answer(client, practice, attempt, 1, keys(question, right=False)[:1])
    again = answer(client, practice, attempt, 1, keys(question, right=True))
    assert again.status_code == 302
    stored = Answer.objects.get()
    assert stored.correct is False and stored.chosen == keys(question, right=False)[:1]
    with pytest.raises(services.Refused):
        services.answer(attempt.pk, 1, keys(question, right=True))


@pytest.mark.parametrize("chosen", [[], ["Z"], ["true"], ["A" * 500]])
def test_an_answer_that_is_not_an_option(client, practice, chosen):
    attempt = start(client, practice)
    if question_at(attempt, 1).kind == Question.Kind.TRUE_FALSE and chosen == ["true"]:
        chosen = ["A"]
    response = answer(client, practice, attempt, 1, chosen)
    assert response.status_code == 200
    assert 'class="field__error"' in response.content.decode()
    assert not Answer.objects.exists()


def test_two_answers_to_a_single_choice_question(client, practice):
    attempt = start(client, practice)
    single = next(
        position
        for position in range(1, attempt.total + 1)
        if question_at(attempt, position).kind == Question.Kind.SINGLE
    )
    with pytest.raises(services.Refused):
        services.answer(attempt.pk, single, ["A", "B"])
    assert not Answer.objects.exists()


def test_an_empty_bank(client, site_tree, law_page):
    quiz = add_quiz(site_tree["home"], "empty")
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.status_code == 409
    assert (
        _("This quiz has no questions yet. Please come back later.") in response.content.decode()
    )
    assert not Attempt.objects.exists()


def test_a_competition_drawing_more_questions_than_the_bank_holds(client, competition):
    competition.questions_per_attempt = 6
    with pytest.raises(Exception) as refused:
        competition.full_clean()
    assert "questions_per_attempt" in str(refused.value)
    # Published before the bank shrank: nobody starts an unfair attempt.
    QuizPage.objects.filter(pk=competition.pk).update(questions_per_attempt=6)
    response = client.post(reverse("quizzes:start", args=[competition.pk]))
    assert response.status_code == 409
    assert not Attempt.objects.exists()


def test_an_unknown_or_unpublished_quiz(client, practice):
    assert client.get(reverse("quizzes:start", args=[999999])).status_code == 404
    practice.unpublish()
    assert client.post(reverse("quizzes:start", args=[practice.pk])).status_code == 404


def test_starts_from_one_client_are_limited(client, practice, settings):
    settings.QUIZ_START_LIMIT = 2
    for _round in range(2):
        attempt = start(Client(), practice)
    refused = Client().post(reverse("quizzes:start", args=[practice.pk]))
    assert refused.status_code == 429
    assert Attempt.objects.count() == 2 and attempt


def test_an_attempts_pages_cost_a_fixed_number_of_queries(
    client, site_tree, practice, django_assert_num_queries
):
    """The quiz, its questions, the cited law and the site are kept until the content changes:
    a page of an attempt reads the session, the attempt and its answers."""
    # The settings row exists, as on any running site: the first render would create it, and
    # so change the content's generation.
    PortalSettings.for_site(site_tree["site"])
    attempt = start(client, practice)
    url = reverse("quizzes:question", args=[practice.pk, 1])
    client.get(url)  # the first reader keeps what the others read
    with django_assert_num_queries(3):
        client.get(url)
    answer(client, practice, attempt, 1, keys(question_at(attempt, 1), right=True))
    client.get(url)
    with django_assert_num_queries(3):
        feedback = client.get(url)
    assert _("Next question") in feedback.content.decode()
