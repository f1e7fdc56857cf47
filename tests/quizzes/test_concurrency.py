"""Two posts of one question's answer at once (a double tap, two tabs): PostgreSQL's row lock
on the attempt lets one through; the other is refused, and the first answer stands."""

from django.db import connection

import pytest

from quizzes import services
from quizzes.models import Answer, Attempt
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_answers_to_one_question_at_once_record_one(practice):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite runs one writer at a time")
    attempt = services.start(practice, attempts_used=0)
    keys = [
        option.key
        for option in services.options(services.questions_of(attempt)[attempt.question_ids[0]])
    ]

    def post(key):
        def call():
            try:
                return services.answer(attempt.pk, 1, [key]).chosen
            except services.Refused:
                return "refused"

        return call

    answers = at_once(
        [post(keys[0]), post(keys[1])], holding=Attempt.objects.filter(pk=attempt.pk)
    )
    assert sorted(answers, key=str).count("refused") == 1
    stored = Answer.objects.get(attempt=attempt, position=1)
    assert [stored.chosen] == [answer for answer in answers if answer != "refused"]
