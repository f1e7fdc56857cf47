"""A finished competition attempt takes a display name the participant chooses (checked for
length, characters and blocked words), may go on the leaderboard, by province if given, and
ties go to the shorter time."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import pytest
from freezegun import freeze_time

from quizzes import services
from quizzes.models import Attempt, QuizSettings
from reporting.models import Region
from tests.quizzes.test_attempt import answer, keys, question_at, start

pytestmark = pytest.mark.django_db


def finish(client, quiz, *, right, seconds=60):
    """Start and answer every question, `right` of them rightly, taking `seconds`."""
    began = timezone.now()
    with freeze_time(began) as clock:
        attempt = start(client, quiz)
        for position in range(1, attempt.total + 1):
            if position == attempt.total:
                clock.tick(datetime.timedelta(seconds=seconds))
            question = question_at(attempt, position)
            good = position <= right
            chosen = keys(question, right=good)
            answer(client, quiz, attempt, position, chosen if good else chosen[:1])
    attempt.refresh_from_db()
    assert attempt.finished_at and attempt.score == right
    return attempt


def claim(client, quiz, name, **fields):
    return client.post(
        reverse("quizzes:result", args=[quiz.pk]),
        {"display_name": name, "on_leaderboard": "on", **fields},
    )


@pytest.fixture
def province(db):
    return Region.objects.get(code="110000")  # 北京市, from the regions' data migration


def test_ranked_by_score_then_time_and_filtered_by_province(competition, province):
    entries = [
        ("慢而全对", 5, 300, province.code),
        ("快而全对", 5, 100, ""),
        ("快但错一", 4, 10, province.code),
    ]
    for name, right, seconds, region in entries:
        browser = Client()
        finish(browser, competition, right=right, seconds=seconds)
        assert claim(browser, competition, name, region=region).status_code == 302
    quiet = Client()
    finish(quiet, competition, right=5, seconds=1)
    quiet.post(reverse("quizzes:result", args=[competition.pk]), {"display_name": "不上榜"})
    board = Client().get(reverse("quizzes:leaderboard", args=[competition.pk])).content.decode()
    order = [board.index(name) for name in ("快而全对", "慢而全对", "快但错一")]
    assert order == sorted(order)
    assert "不上榜" not in board
    by_province = (
        Client()
        .get(reverse("quizzes:leaderboard", args=[competition.pk]), {"region": province.code})
        .content.decode()
    )
    assert "慢而全对" in by_province and "快而全对" not in by_province


def test_an_unknown_province_says_so_and_shows_everyone(client, competition):
    response = client.get(
        reverse("quizzes:leaderboard", args=[competition.pk]), {"region": "x" * 500}
    )
    assert response.status_code == 400
    assert _("There is no province with that code; all participants are shown.") in (
        response.content.decode()
    )


def test_an_entry_hidden_by_an_editor_leaves_the_board_and_keeps_its_certificate(
    client, competition
):
    attempt = finish(client, competition, right=5)
    claim(client, competition, "被隐藏者")
    attempt.refresh_from_db()
    Attempt.objects.filter(pk=attempt.pk).update(hidden=True)
    board = client.get(reverse("quizzes:leaderboard", args=[competition.pk])).content.decode()
    assert "被隐藏者" not in board
    assert services.certificate(attempt.certificate_code) == attempt


def test_a_passing_score_earns_a_certificate_code_and_a_failing_one_does_not(
    competition,
):
    winner, loser = Client(), Client()
    finish(winner, competition, right=3)  # 60 %: the mark itself passes
    finish(loser, competition, right=2)
    claim(winner, competition, "及格")
    claim(loser, competition, "未及格")
    passed, failed = (
        Attempt.objects.get(display_name="及格"),
        Attempt.objects.get(display_name="未及格"),
    )
    assert passed.certificate_code and len(passed.certificate_code) == 10
    assert failed.certificate_code is None and failed.on_leaderboard
    result = winner.get(reverse("quizzes:result", args=[competition.pk])).content.decode()
    assert services.format_code(passed.certificate_code) in result
    assert reverse("quizzes:certificate", args=[competition.pk]) in result


@pytest.mark.parametrize(
    "name",
    [
        "名" * 500,
        "名" * 21,
        "",
        "   ",
        "坏\x00人",
        "line\nbreak",
        "\u202eevil",  # right-to-left override: reorders what the board shows
        "电话13812345678",
        "<script>",
        "滚蛋 大 王",  # a blocked word, spaces between its characters
        "ＢＡＤＷＯＲＤ",  # a blocked word in full-width capitals
        "ئۇيغۇر",  # letters the certificate's font cannot print
    ],
)
def test_display_names_refused(client, competition, name):
    settings_row = QuizSettings.load()
    settings_row.blocked_words = "滚蛋\nbadword"
    settings_row.save()
    attempt = finish(client, competition, right=5)
    response = claim(client, competition, name)
    assert response.status_code == 400
    assert 'class="field__error"' in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.display_name == "" and attempt.certificate_code is None


def test_a_display_name_is_given_once(client, competition):
    finish(client, competition, right=5)
    claim(client, competition, "第一次")
    again = claim(client, competition, "第二次")
    assert again.status_code == 302
    assert Attempt.objects.get().display_name == "第一次"


def test_a_name_before_the_attempt_is_finished_is_not_taken(client, competition):
    start(client, competition)
    response = claim(client, competition, "太早")
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:question", args=[competition.pk, 1])
    assert Attempt.objects.get().display_name == ""


def test_a_practice_quiz_has_no_leaderboard_or_name(client, practice):
    assert client.get(reverse("quizzes:leaderboard", args=[practice.pk])).status_code == 404
    attempt = start(client, practice)
    for position in range(1, attempt.total + 1):
        answer(
            client, practice, attempt, position, keys(question_at(attempt, position), right=True)
        )
    client.post(reverse("quizzes:result", args=[practice.pk]), {"display_name": "练习者"})
    assert Attempt.objects.get().display_name == ""
