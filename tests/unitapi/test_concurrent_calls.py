"""Two calls at once, as a case system's retry or two of its workers send them, against
PostgreSQL, which locks the clue's row as production does: the same Idempotency-Key acts once
and both get the first answer; two different actions on one version leave one of them stale.
Whichever call runs first, the outcome is the same."""

import json

from django.db import connection
from django.test import Client

import pytest

from reporting.factories import clue_at
from reporting.models import Clue
from tests.concurrency import at_once
from unitapi.models import ApiKey

from .conftest import ALL_SCOPES, API

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def case():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    clue = clue_at(Clue.Status.TRANSFERRED)
    key = ApiKey.issue(unit=clue.unit, name="case system", scopes=ALL_SCOPES)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    version = Client().get(f"{API}/clues/{clue.tracking_number}", **headers)["ETag"]
    return clue, headers, version


def _post(clue, headers, version, action, body, idempotency):
    def call():
        response = Client().post(
            f"{API}/clues/{clue.tracking_number}/{action}", json.dumps(body),
            content_type="application/json", HTTP_IF_MATCH=version,
            HTTP_IDEMPOTENCY_KEY=idempotency, **headers,
        )  # fmt: skip
        return response.status_code, response.json(), response.get("Idempotent-Replayed")

    return call


def test_the_same_key_sent_twice_at_once_acts_once_and_both_get_its_answer(case):
    clue, headers, version = case
    call = _post(clue, headers, version, "acknowledge", {}, "retry-1")
    first, second = at_once([call, call])
    assert first[:2] == second[:2] and first[0] == 200
    assert {first[2], second[2]} == {None, "true"}
    assert clue.ledger.filter(action="acknowledged").count() == 1


def test_two_actions_on_one_version_at_once_leave_one_stale(case):
    clue, headers, version = case
    answers = at_once(
        [
            _post(clue, headers, version, "acknowledge", {}, "worker-1"),
            _post(clue, headers, version, "questions", {"body": "车牌号是多少？"}, "worker-2"),
        ]
    )
    assert sorted(status for status, _body, _replayed in answers) == [200, 412]
    stale = next(body for status, body, _replayed in answers if status == 412)
    assert stale["code"] == "stale" and stale["state"]["version"] != version
    assert clue.ledger.filter(action__in=["acknowledged", "staff_asked"]).count() == 1
