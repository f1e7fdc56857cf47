"""Two signatories sign the two claims of one shared award at the same moment, against
PostgreSQL's row locks: they take turns on the unit's row, so neither waits on the other's
claim, and both signatures count on both claims. The test holds that row until both wait
for it, so they truly overlap."""

from django.db import connection
from django.test import Client

import pytest

from reporting.lifecycle.repeats import join_cluster
from reporting.models import Unit
from rewards.models import Claim
from tests.concurrency import at_once

from .conftest import concluded
from .test_decision import claimed, sign
from .test_shared import propose

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_signatures_at_once_on_a_shared_award_both_count(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    second_clue = concluded()
    join_cluster([world["clue"].pk, second_clue.pk])
    first, second = claimed(Client(), world["clue"]), claimed(Client(), second_clue)
    assert propose(world, first, "1000", {second: "2000"}).status_code == 302
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
