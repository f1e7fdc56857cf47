"""Several reporters of one case share one award: the band bounds the total of their shares,
one set of three signatures decides them all, and each reporter answers for their own share,
seeing only how many share it and the total."""

from html import unescape

from django.test import Client
from django.urls import reverse

import pytest

from reporting.lifecycle.repeats import join_cluster
from reporting.models import LedgerEntry
from rewards import services
from rewards.models import Claim, SharedAward
from tests.reporting.helpers import as_user

from .conftest import CLAIM, STATUS, concluded
from .test_decision import claimed, sign

pytestmark = pytest.mark.django_db
Action, Status = LedgerEntry.Action, Claim.Status


@pytest.fixture
def case(client, world):
    """Two reports of one case, both concluded by the Tangshan office, both claimed; a third
    claim of another case of the same unit."""
    first, second, unrelated = world["clue"], concluded(), concluded()
    join_cluster([first.pk, second.pk])
    other = Client()
    return {
        "first": claimed(client, first),
        "second": claimed(other, second),
        "second_client": other,
        "unrelated": claimed(Client(), unrelated),
    }


def propose(world, claim, amount, shares=None, reason="（测试）两位举报人共同协助破案。"):
    data = {"band": world["band"].pk, "amount": amount, "reason": reason}
    data.update({f"share_{other.pk}": value for other, value in (shares or {}).items()})
    return as_user(world["officer"]).post(reverse("rewards_propose", args=[claim.pk]), data)


def fresh(*claims):
    for claim in claims:
        claim.refresh_from_db()
    return claims


def test_the_assessor_is_offered_the_case_claims_only(world, case):
    third = concluded()
    join_cluster([case["first"].clue.pk, third.pk])
    third = claimed(Client(), third)
    page = as_user(world["officer"]).get(reverse("rewards_claim", args=[case["first"].pk]))
    html = page.content.decode()
    assert 'id="case-claims"' in html
    assert f'name="share_{case["second"].pk}"' in html
    assert f'name="share_{third.pk}"' in html
    assert f'name="share_{case["unrelated"].pk}"' not in html
    alone = as_user(world["officer"]).get(reverse("rewards_claim", args=[case["unrelated"].pk]))
    assert 'id="case-claims"' not in alone.content.decode()


def test_a_shared_award_is_proposed_signed_and_decided_together(world, case):
    first, second = case["first"], case["second"]
    assert propose(world, first, "1000", {second: "2000"}).status_code == 302
    first, second = fresh(first, second)
    assert first.award_id == second.award_id is not None
    assert (first.status, first.amount) == (Status.PROPOSED, 1000)
    assert (second.status, second.amount) == (Status.PROPOSED, 2000)
    assert first.clue.ledger.get(action=Action.REWARD_PROPOSED).note == "1000/3000"
    assert second.clue.ledger.get(action=Action.REWARD_PROPOSED).note == "2000/3000"

    page = as_user(world["officer"]).get(reverse("rewards_claim", args=[second.pk]))
    assert 'id="claim-sharing"' in page.content.decode()

    # Signed on either claim, each signature counts on both.
    one, two, three = world["signers"]
    assert sign(one, first).status_code == 302
    assert sign(one, second).status_code == 400
    assert sign(two, second).status_code == 302
    assert sign(three, first).status_code == 302
    first, second = fresh(first, second)
    assert first.status == second.status == Status.DECIDED
    assert first.signatures.count() == second.signatures.count() == 3
    assert second.clue.ledger.filter(action=Action.REWARD_DECIDED).get().note == "2000"


def test_the_reporter_sees_their_share_and_how_many_share_nothing_more(world, case):
    first, second = case["first"], case["second"]
    propose(world, first, "1000", {second: "2000"})
    for signer in world["signers"]:
        sign(signer, first)
    html = case["second_client"].get(STATUS).content.decode()
    assert 'id="reward-amount">2000 yuan<' in html
    assert "your share of one award shared by 2 reporters of the same case" in html
    # Not the total, which would give away the other's share.
    assert "3000" not in html and "1000" not in html
    assert first.clue.tracking_number not in html


def test_the_total_of_the_shares_lies_within_the_band(world, case):
    first, second = case["first"], case["second"]
    response = propose(world, first, "3000", {second: "2500"})
    assert response.status_code == 400
    assert "The shares add up to 5500 yuan" in response.content.decode()
    # Each share alone is within the band, but a share of nothing is refused too.
    assert propose(world, first, "1000", {second: "0"}).status_code == 400
    assert propose(world, first, "1000", {second: "-5"}).status_code == 400
    first, second = fresh(first, second)
    assert first.status == second.status == Status.CLAIMED
    assert SharedAward.objects.count() == 0


def test_a_claim_of_another_case_cannot_share(world, case):
    # Not offered on the page: a share posted for it is refused, and so is it by the rule.
    response = propose(world, case["first"], "1000", {case["unrelated"]: "1000"})
    assert response.status_code == 400
    assert "can no longer share this award" in response.content.decode()
    assert fresh(case["unrelated"])[0].status == Status.CLAIMED
    assert fresh(case["first"])[0].status == Status.CLAIMED
    with pytest.raises(services.RewardRefused):
        services.propose(
            case["second"],
            world["officer"],
            band=world["band"],
            amount=1000,
            reason="（测试）",
            shares={case["unrelated"]: 1000},
        )


def test_a_share_for_a_claim_proposed_alone_meanwhile_is_refused_not_dropped(world, case):
    first, second = case["first"], case["second"]
    assert propose(world, second, "2000").status_code == 302
    assert sign(world["signers"][0], second).status_code == 302
    response = propose(world, first, "1000", {second: "2000"})
    assert response.status_code == 400
    assert "can no longer share this award" in response.content.decode()
    assert fresh(first)[0].status == Status.CLAIMED


def test_a_new_proposal_without_a_share_returns_that_claim_to_waiting(world, case):
    first, second = case["first"], case["second"]
    propose(world, first, "1000", {second: "2000"})
    assert propose(world, first, "1500").status_code == 302
    first, second = fresh(first, second)
    assert first.award_id is None and (first.status, first.amount) == (Status.PROPOSED, 1500)
    assert second.award_id is None and second.status == Status.CLAIMED and not second.amount
    assert second.clue.ledger.filter(action=Action.REWARD_PROPOSED).last().note == "withdrawn"
    assert SharedAward.objects.count() == 0


def test_a_claim_concluded_by_another_unit_is_not_offered(world, case):
    elsewhere = concluded(region="130102")
    join_cluster([case["first"].clue.pk, elsewhere.pk])
    claim = claimed(Client(), elsewhere)
    assert claim.unit != case["first"].unit
    page = as_user(world["officer"]).get(reverse("rewards_claim", args=[case["first"].pk]))
    assert f'name="share_{claim.pk}"' not in page.content.decode()


def test_a_share_is_reviewed_within_what_the_band_leaves(client, world, case):
    first, second = case["first"], case["second"]
    propose(world, first, "1000", {second: "2000"})
    for signer in world["signers"]:
        sign(signer, first)
    asked = client.post(f"{CLAIM}review/", {"reason": "（测试）我提供了关键线索。"})
    assert asked.status_code == 302
    above = as_user(world["supervisor_above"])
    url = reverse("rewards_review", args=[first.pk])
    # 3500 + the other share of 2000 would exceed the band's 5000.
    refused = above.post(url, {"amount": "3500", "note": "（测试）"})
    assert refused.status_code == 400
    assert "With the other reporters' shares (2000 yuan)" in unescape(refused.content.decode())
    assert above.post(url, {"amount": "3000", "note": "（测试）关键线索。"}).status_code == 302
    # The other reporter answers for their own share, untouched.
    assert case["second_client"].post(f"{CLAIM}accept/").status_code == 302
    first, second = fresh(first, second)
    assert (first.status, first.amount) == (Status.REVIEWED, 3000)
    assert (second.status, second.amount) == (Status.ACCEPTED, 2000)


def test_a_supervisor_of_the_unit_may_assess_a_shared_award_too(world, case):
    supervisor = world["supervisor"]
    data = {
        "band": world["band"].pk,
        "amount": "700",
        "reason": "（测试）",
        f"share_{case['second'].pk}": "800",
    }
    url = reverse("rewards_propose", args=[case["first"].pk])
    assert as_user(supervisor).post(url, data).status_code == 302
    assert fresh(case["second"])[0].amount == 800
