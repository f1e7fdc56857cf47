import re
from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from reporting.intake.receipts import normalize_tracking_number
from reporting.models import LedgerEntry
from rewards.models import Claim
from rewards.services import standing_conclusion
from tests.reporting.helpers import as_user

from .conftest import in_english

pytestmark = pytest.mark.django_db
RECEIPT = ("tracking_number", "access_key")
Action = LedgerEntry.Action


def load_twice():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    call_command("load_demo_content", stdout=out)  # again: nothing doubles
    text = out.getvalue()
    line = [row for row in text.splitlines() if row.startswith("Demo reward claims")][-1]
    return text, line, re.findall(r"tracking number: ([\d ]+?)  access key: (\S+)", line)


def test_the_demo_has_a_claim_waiting_one_overdue_and_one_paid_with_their_receipts(client):
    text, line, numbers = load_twice()
    assert len(numbers) == 5 and "reward officer: rewards-tangshan" in line
    assert "rewards-tangshan" in [r for r in text.splitlines() if r.startswith("Demo staff")][-1]
    assert sorted(Claim.objects.values_list("status", flat=True)) == [
        "claimed",
        "claimed",
        "decided",
        "decided",
        "paid",
    ]
    (waiting, _paid, overdue, *shared) = numbers
    for receipt in shared:
        unlocked = client.post("/en/report/status/", dict(zip(RECEIPT, receipt, strict=True)))
        assert unlocked.status_code == 302
        html = client.get("/en/report/status/").content.decode()
        assert "your share of one award shared by 2 reporters of the same case" in html
        assert "Accept the reward" in html
    assert "assessment overdue: tracking number: " + overdue[0] in line
    for receipt in (waiting, overdue):
        response = client.post(
            "/en/report/status/", {"tracking_number": receipt[0], "access_key": receipt[1]}
        )
        assert response.status_code == 302
        assert "You claimed a reward on" in client.get("/en/report/status/").content.decode()


def test_the_demo_overdue_claim_was_marked_by_the_deadline_check_and_escalated(settings):
    _text, _line, numbers = load_twice()
    number = normalize_tracking_number(numbers[2][0])
    claim = Claim.objects.select_related("clue").get(clue__tracking_number=number)
    now = timezone.now()
    assert claim.status == Claim.Status.CLAIMED and claim.is_overdue(now)
    days = settings.REWARD_ASSESSMENT_DAYS + settings.REWARD_ESCALATION_GRACE_DAYS
    assert claim.claimed_at < now - timedelta(days=days)
    # Its conclusion stood before the claim, within the claim window.
    conclusion = standing_conclusion(claim.clue)
    assert conclusion.outcome in settings.REWARD_QUALIFYING_OUTCOMES
    assert conclusion.stood_at < claim.claimed_at
    assert claim.claimed_at - conclusion.stood_at < timedelta(
        days=settings.REWARD_CLAIM_WINDOW_DAYS
    )
    # Marked once each by the check, on the days it fell due, the ledger agreeing.
    assert claim.overdue_since - claim.claimed_at >= timedelta(
        days=settings.REWARD_ASSESSMENT_DAYS
    )
    assert claim.escalated_at - claim.overdue_since >= timedelta(
        days=settings.REWARD_ESCALATION_GRACE_DAYS
    )
    chased = claim.clue.ledger.filter(
        action__in=[Action.OVERDUE, Action.REMINDED, Action.ESCALATED], note="reward_claim"
    ).order_by("at", "pk")
    assert [entry.action for entry in chased] == [
        Action.OVERDUE,
        Action.REMINDED,
        Action.ESCALATED,
    ]
    assert chased[0].at == claim.overdue_since and chased[2].at == claim.escalated_at
    claimed = claim.clue.ledger.get(action=Action.REWARD_CLAIMED)
    concluded = claim.clue.ledger.get(action=Action.CONCLUDED)
    assert abs(claimed.at - claim.claimed_at) < timedelta(minutes=1)
    assert abs(concluded.at - conclusion.stood_at) < timedelta(minutes=1)
    assert claim.clue.ledger.order_by("-at", "-pk").first().action == Action.ESCALATED


def test_the_reward_officer_sees_the_demo_claim_overdue_and_escalated():
    _text, _line, numbers = load_twice()
    number = normalize_tracking_number(numbers[2][0])
    claim = Claim.objects.get(clue__tracking_number=number)
    officer = in_english(get_user_model().objects.get(username="rewards-tangshan"))
    staff = as_user(officer)

    listing = staff.get(reverse("rewards_claims")).content.decode()
    rows = re.findall(r"<tr>.*?</tr>", listing, flags=re.S)
    [row] = [row for row in rows if number in row]
    assert "overdue" in row and "escalated" in row
    # The claim waiting since today is neither.
    assert sum("overdue" in row for row in rows) == 1

    page = staff.get(reverse("rewards_claim", args=[claim.pk]))
    assert page.status_code == 200
    assert "overdue" in page.content.decode() and "escalated" in page.content.decode()
