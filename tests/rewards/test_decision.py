"""From claim to payment through the admin and the status page: the assessment within its
band, three signatures of distinct people, the reporter's answer, the review above, and the
payment that erases the bank details."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from portal.factories import UserFactory
from reporting.factories import MembershipFactory
from reporting.models import LedgerEntry, Membership, OutgoingMail
from rewards.models import Claim
from tests.reporting.helpers import as_user

from .conftest import ACCOUNT, ACCOUNT_DIGITS, CLAIM, STATUS, concluded, in_english, unlock
from .test_claims import bank, scan_for

pytestmark = pytest.mark.django_db
Action, Role = LedgerEntry.Action, Membership.Role


def claimed(client, clue, data=None):
    unlock(client, clue)
    assert client.post(CLAIM, data or {"method": "in_person"}).status_code == 302
    return Claim.objects.get(clue=clue)


def propose(user, claim, band, amount="1200", reason="（测试）线索具体，协助立案。"):
    data = {"band": band.pk, "amount": amount, "reason": reason}
    return as_user(user).post(reverse("rewards_propose", args=[claim.pk]), data)


def sign(user, claim):
    return as_user(user).post(reverse("rewards_sign", args=[claim.pk]))


def decided(client, world, clue=None, data=None):
    claim = claimed(client, clue or world["clue"], data)
    assert propose(world["officer"], claim, world["band"]).status_code == 302
    for signer in world["signers"]:
        assert sign(signer, claim).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DECIDED
    return claim


def actions(claim):
    return list(
        claim.clue.ledger.filter(action__startswith="reward").values_list("action", flat=True)
    )


@pytest.mark.parametrize("amount", ["499", "5001", "-100", "0", "10" + "0" * 30, "12.5", "1e9"])
def test_an_amount_outside_its_band_negative_or_absurd_is_refused(client, world, amount):
    claim = claimed(client, world["clue"])
    response = propose(world["officer"], claim, world["band"], amount=amount)
    assert response.status_code == 400
    assert (
        'id="id_amount' in response.content.decode()
        or "amount" in response.context["propose_form"].errors
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED and claim.amount is None


def test_a_proposal_needs_a_reason(client, world):
    claim = claimed(client, world["clue"])
    assert propose(world["officer"], claim, world["band"], reason="").status_code == 400
    assert Claim.objects.get().status == Claim.Status.CLAIMED


def test_three_distinct_signatures_decide_and_the_assessor_never_signs(client, world):
    claim = claimed(client, world["clue"])
    officer = world["officer"]
    # The assessor is a signatory too, and has a second account with the same address.
    MembershipFactory(user=officer, unit=world["unit"], role=Role.SIGNATORY)
    second = in_english(UserFactory(username="second-account", email=officer.email.upper()))
    MembershipFactory(user=second, unit=world["unit"], role=Role.SIGNATORY)
    assert propose(officer, claim, world["band"]).status_code == 302

    assert sign(officer, claim).status_code == 400
    refused = sign(second, claim)
    assert refused.status_code == 400
    assert "The assessor may not sign their own proposal." in refused.content.decode()
    # Not a signatory of the unit: a verifier cannot reach the claim at all.
    assert sign(world["verifier"], claim).status_code == 404
    first, second_signer, third = world["signers"]
    assert sign(first, claim).status_code == 302
    assert sign(first, claim).status_code == 400
    assert sign(second_signer, claim).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED
    # Signed proposals are not changed under the signatures.
    assert propose(officer, claim, world["band"], amount="3000").status_code == 400
    assert sign(third, claim).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DECIDED and claim.amount == 1200
    assert actions(claim) == [
        Action.REWARD_CLAIMED,
        Action.REWARD_PROPOSED,
        Action.REWARD_SIGNED,
        Action.REWARD_SIGNED,
        Action.REWARD_SIGNED,
        Action.REWARD_DECIDED,
    ]


def test_the_reporter_sees_the_decision_and_accepts_then_no_review(client, world):
    claim = decided(client, world)
    html = client.get(STATUS).content.decode()
    assert 'id="reward-amount">1200 yuan<' in html and "线索具体，协助立案。" in html
    assert client.post(f"{CLAIM}accept/").status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ACCEPTED
    response = client.post(f"{CLAIM}review/", {"reason": "（测试）太少了"})
    assert response.status_code == 400
    assert "A review can no longer be asked" in response.content.decode()
    assert client.post(f"{CLAIM}accept/").status_code == 400
    assert actions(claim)[-1] == Action.REWARD_ACCEPTED


def test_a_review_is_asked_once_and_decided_above(
    client, world, django_capture_on_commit_callbacks
):
    claim = decided(client, world)
    assert client.post(f"{CLAIM}review/", {"reason": ""}).status_code == 400
    before = OutgoingMail.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"{CLAIM}review/", {"reason": "（测试）我冒了很大风险。"})
    assert response.status_code == 302
    assert OutgoingMail.objects.count() == before + 1
    notice = OutgoingMail.objects.order_by("-pk").first()
    assert notice.recipients == [world["supervisor_above"].email]
    assert reverse("rewards_claim", args=[claim.pk]) in notice.body
    assert "冒了很大风险" not in notice.body and claim.clue.tracking_number not in notice.body
    assert client.post(f"{CLAIM}review/", {"reason": "（测试）再来一次"}).status_code == 400
    assert client.post(f"{CLAIM}accept/").status_code == 400

    url = reverse("rewards_review", args=[claim.pk])
    data = {"amount": "2000", "note": "（测试）贡献较大，调整金额。"}
    # The unit's own supervisor and reward officer do not review their unit's decision.
    assert as_user(world["supervisor"]).post(url, data).status_code == 400
    assert as_user(world["officer"]).post(url, data).status_code == 400
    above = as_user(world["supervisor_above"])
    assert above.post(url, {**data, "amount": "99999"}).status_code == 400
    assert above.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REVIEWED and claim.amount == 2000
    html = client.get(STATUS).content.decode()
    assert 'id="reward-amount">2000 yuan<' in html and "调整金额" in html
    assert client.post(f"{CLAIM}review/", {"reason": "（测试）第二次"}).status_code == 400
    assert actions(claim)[-2:] == [Action.REWARD_REVIEW_REQUESTED, Action.REWARD_REVIEWED]


def test_a_bank_transfer_is_paid_and_its_details_erased(client, world):
    clue = concluded(named=True)
    claim = decided(client, world, clue=clue, data=bank())
    assert client.post(f"{CLAIM}accept/").status_code == 302
    officer = as_user(world["officer"])
    page = officer.get(reverse("rewards_claim", args=[claim.pk])).content.decode()
    assert ACCOUNT_DIGITS in page and "王小明" in page  # the account holder, as typed
    # Signatories decide; they never see where the money goes.
    signer_page = as_user(world["signers"][0]).get(reverse("rewards_claim", args=[claim.pk]))
    assert ACCOUNT_DIGITS not in signer_page.content.decode()
    url = reverse("rewards_pay", args=[claim.pk])
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    assert officer.post(url, {"paid_on": tomorrow, "how": "bank_transfer"}).status_code == 400
    today = timezone.localdate().isoformat()
    assert officer.post(url, {"paid_on": today, "how": "bank_transfer"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.payment_sealed is None
    assert claim.paid_by == world["officer"] and claim.payment_details_erased_at
    assert actions(claim)[-1] == Action.REWARD_PAID
    assert claim.clue.ledger.filter(action=Action.PAYMENT_DETAILS_ERASED).count() == 1
    assert scan_for(ACCOUNT_DIGITS) == [] and ACCOUNT not in str(scan_for(ACCOUNT))
    assert "The reward was paid on" in client.get(STATUS).content.decode()


def test_in_person_payment_checks_the_access_key_and_shows_no_name(client, world):
    clue = concluded(named=True)
    claim = decided(client, world, clue=clue)
    assert client.post(f"{CLAIM}accept/").status_code == 302
    officer = as_user(world["officer"])
    page = officer.get(reverse("rewards_claim", args=[claim.pk])).content.decode()
    assert 'id="in-person-checklist"' in page and "王小明" not in page
    url = reverse("rewards_pay", args=[claim.pk])
    data = {
        "paid_on": timezone.localdate().isoformat(),
        "how": "in_person",
        "tracking_number_checked": "on",
        "amount_checked": "on",
        "receipt_signed": "on",
    }
    assert officer.post(url, data).status_code == 400  # no key typed
    assert officer.post(url, {**data, "access_key": "AAAA-BBBB-CCCC-DDDD"}).status_code == 400
    unchecked = {**data, "access_key": clue.access_key, "receipt_signed": ""}
    assert officer.post(url, unchecked).status_code == 400
    assert Claim.objects.get().status == Claim.Status.ACCEPTED
    assert officer.post(url, {**data, "access_key": clue.access_key}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid_how == "in_person"
    assert scan_for(clue.access_key) == []


def test_another_units_staff_get_404(client, world):
    claim = claimed(client, world["clue"])
    for user in (world["officer_elsewhere"], world["verifier"]):
        staff = as_user(user)
        assert staff.get(reverse("rewards_claim", args=[claim.pk])).status_code == 404
        assert propose(user, claim, world["band"]).status_code == 404
        listing = staff.get(reverse("rewards_claims"))
        assert claim.clue.tracking_number not in listing.content.decode()
    # The unit's supervisor and the one above see it.
    for user in (world["supervisor"], world["supervisor_above"]):
        assert as_user(user).get(reverse("rewards_claim", args=[claim.pk])).status_code == 200


def test_the_listing_reads_a_fixed_number_of_queries(client, world):
    officer = as_user(world["officer"])
    claimed(client, world["clue"])
    officer.get(reverse("rewards_claims"))
    with CaptureQueriesContext(connection) as first:
        assert officer.get(reverse("rewards_claims")).status_code == 200
    for _n in range(3):
        claimed(client, concluded())
    with CaptureQueriesContext(connection) as more:
        html = officer.get(reverse("rewards_claims")).content.decode()
    assert len(re.findall(r'href="/admin/rewards/claims/\d+/"', html)) == 4
    assert len(more) == len(first)


def test_opening_bank_details_is_recorded(client, world):
    claim = decided(client, world, clue=concluded(named=True), data=bank())
    client.post(f"{CLAIM}accept/")
    as_user(world["officer"]).get(reverse("rewards_claim", args=[claim.pk]))
    views = claim.clue.ledger.filter(action=Action.VIEWED, actor=world["officer"])
    assert list(views.values_list("note", flat=True)) == ["reward_payment"]


def test_unpaid_bank_details_go_with_the_clues_erased_content(client, world):
    from rewards.tasks import erase_expired_payment_details

    claim = claimed(client, concluded(named=True), bank())
    assert erase_expired_payment_details.call() == 0
    now = timezone.now()
    type(claim.clue).objects.filter(pk=claim.clue_id).update(closed_at=now, content_erased_at=now)
    assert erase_expired_payment_details.call() == 1
    claim.refresh_from_db()
    assert claim.payment_sealed is None and claim.payment_details_erased_at
    assert claim.clue.ledger.filter(action=Action.PAYMENT_DETAILS_ERASED).count() == 1


def test_the_status_page_reads_a_fixed_number_of_queries_for_the_reward(client, world):
    claim = decided(client, world)
    client.get(STATUS)
    with CaptureQueriesContext(connection) as decided_page:
        assert client.get(STATUS).status_code == 200
    client.post(f"{CLAIM}accept/")
    with CaptureQueriesContext(connection) as accepted_page:
        assert client.get(STATUS).status_code == 200
    assert len(accepted_page) == len(decided_page)
    assert claim.pk


def test_the_listing_filters_by_status_and_pages(client, world, monkeypatch):
    monkeypatch.setattr("rewards.admin_views.PER_PAGE", 2)
    officer = as_user(world["officer"])
    decided(client, world)
    for _n in range(3):
        claimed(Client(), concluded())
    url = reverse("rewards_claims")

    def links(response):
        return re.findall(r'href="/admin/rewards/claims/\d+/"', response.content.decode())

    assert len(links(officer.get(url, {"status": "decided"}))) == 1
    waiting = officer.get(url, {"status": "claimed"})
    assert len(links(waiting)) == 2 and "Page 1 of 2" in waiting.content.decode()
    assert len(links(officer.get(url, {"status": "claimed", "page": "2"}))) == 1
    # A page past the end, or not a number, shows a page that exists; an unknown status says
    # so and shows every claim.
    assert len(links(officer.get(url, {"status": "claimed", "page": "99"}))) == 1
    assert len(links(officer.get(url, {"page": "x"}))) == 2
    unknown = officer.get(url, {"status": "<script>"})
    assert unknown.status_code == 200
    assert "There is no such status" in unknown.content.decode() and len(links(unknown)) == 2
