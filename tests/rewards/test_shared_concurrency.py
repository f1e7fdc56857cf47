"""Two signatories sign the two claims of one shared award at the same moment, against
PostgreSQL's row locks: they take turns on the unit's row, so neither waits on the other's
claim, and both signatures count on both claims. The test holds that row until both wait
for it, so they truly overlap."""

from django.db import connection
from django.test import Client
from django.urls import reverse

import pytest

from reporting.lifecycle.repeats import join_cluster
from reporting.models import Unit
from rewards.models import Claim
from tests.concurrency import at_once
from tests.reporting.helpers import as_user

from .conftest import CLAIM, concluded
from .test_decision import claimed, sign
from .test_shared import propose

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def shared(world):
    """Two claims of one case, an award of 1000 + 2000 proposed for them (band 500-5000)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    second_clue = concluded()
    join_cluster([world["clue"].pk, second_clue.pk])
    first_reporter, second_reporter = Client(), Client()
    first = claimed(first_reporter, world["clue"])
    second = claimed(second_reporter, second_clue)
    assert propose(world, first, "1000", {second: "2000"}).status_code == 302
    return first, second, first_reporter, second_reporter


def test_two_signatures_at_once_on_a_shared_award_both_count(world, shared):
    first, second, _reporter, _other = shared
    one, two, _three = world["signers"]

    answers = at_once(
        [lambda: sign(one, first), lambda: sign(two, second)],
        holding=Unit.objects.filter(pk=first.unit_id),
    )

    assert [answer.status_code for answer in answers] == [302, 302]
    for claim in (first, second):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.PROPOSED
        assert set(claim.signatures.values_list("signer", flat=True)) == {one.pk, two.pk}
        notes = claim.clue.ledger.filter(action="reward_signed").values_list("note", flat=True)
        assert sorted(notes) == ["1/3", "2/3"]


def test_two_reviews_at_once_keep_the_total_within_the_band(world, shared):
    first, second, first_reporter, second_reporter = shared
    for signer in world["signers"]:
        assert sign(signer, first).status_code == 302
    for reporter in (first_reporter, second_reporter):
        asked = reporter.post(f"{CLAIM}review/", {"reason": "（测试）请复核。"})
        assert asked.status_code == 302
    above = as_user(world["supervisor_above"])

    def review(claim, amount):
        url = reverse("rewards_review", args=[claim.pk])
        return above.post(url, {"amount": amount, "note": "（测试）复核。"}).status_code

    # Each alone fits beside the other's old share; both together would reach 6800.
    answers = at_once(
        [lambda: review(first, "2900"), lambda: review(second, "3900")],
        holding=Unit.objects.filter(pk=first.unit_id),
    )
    assert sorted(answers) == [302, 400]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.amount + second.amount <= world["band"].highest
