"""The assessment deadline run as the worker runs it: an undecided claim past
REWARD_ASSESSMENT_DAYS reminds its unit once, escalates to the unit above once after the grace,
and a decided claim is never chased; the signatories are told of a proposal; and the reward
settings are checked when the portal starts."""

from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from portal import registry
from reporting.models import LedgerEntry, OutgoingMail
from rewards.checks import reward_settings
from rewards.models import Claim
from rewards.tasks import check_assessment_deadlines
from tests.reporting.helpers import as_user

from .conftest import concluded
from .test_decision import claimed, decided, propose, sign

pytestmark = pytest.mark.django_db
Action = LedgerEntry.Action


def age(claim, days):
    """As if the claim had been made `days` ago."""
    Claim.objects.filter(pk=claim.pk).update(claimed_at=timezone.now() - timedelta(days=days))


def run():
    return check_assessment_deadlines.call()


def chased(claim):
    return list(
        claim.clue.ledger.filter(
            action__in=[Action.OVERDUE, Action.REMINDED, Action.ESCALATED], note="reward_claim"
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def mails_since(before):
    return list(OutgoingMail.objects.filter(pk__gt=before).order_by("pk"))


def last_mail_pk():
    return OutgoingMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_worker_queues_the_check():
    assert "rewards.tasks.check_assessment_deadlines" in [
        task.module_path for task in registry.periodic_tasks()
    ]


def test_an_overdue_claim_reminds_its_unit_once_then_escalates_once(client, world, settings):
    settings.REWARD_ASSESSMENT_DAYS, settings.REWARD_ESCALATION_GRACE_DAYS = 30, 10
    claim = claimed(client, world["clue"])
    age(claim, 29)
    before = last_mail_pk()
    assert run() == {"overdue": 0, "escalated": 0}
    assert mails_since(before) == [] and chased(claim) == []

    age(claim, 31)
    assert run() == {"overdue": 1, "escalated": 0}
    [reminder] = mails_since(before)
    assert reminder.recipients == sorted([world["officer"].email, world["supervisor"].email])
    url = reverse("rewards_claim", args=[claim.pk])
    assert url in reminder.body and claim.clue.tracking_number not in reminder.body
    assert chased(claim) == [Action.OVERDUE, Action.REMINDED]

    # Run again, and again within the grace: nothing new.
    assert run() == {"overdue": 0, "escalated": 0}
    Claim.objects.filter(pk=claim.pk).update(overdue_since=timezone.now() - timedelta(days=9))
    assert run() == {"overdue": 0, "escalated": 0}
    assert len(mails_since(before)) == 1

    Claim.objects.filter(pk=claim.pk).update(overdue_since=timezone.now() - timedelta(days=11))
    assert run() == {"overdue": 0, "escalated": 1}
    escalation = mails_since(before)[-1]
    assert escalation.recipients == [world["supervisor_above"].email]
    assert url in escalation.body and claim.clue.tracking_number not in escalation.body
    entry = claim.clue.ledger.get(action=Action.ESCALATED)
    assert entry.unit == world["unit"].get_parent()

    assert run() == {"overdue": 0, "escalated": 0}
    assert len(mails_since(before)) == 2
    assert chased(claim) == [Action.OVERDUE, Action.REMINDED, Action.ESCALATED]

    # The admin listing says so, in English for the officer.
    page = as_user(world["officer"]).get(reverse("rewards_claims"))
    assert page.status_code == 200
    assert b"overdue" in page.content and b"escalated" in page.content


def test_a_proposal_still_unsigned_is_late_too(client, world):
    claim = claimed(client, world["clue"])
    assert propose(world["officer"], claim, world["band"]).status_code == 302
    assert sign(world["signers"][0], claim).status_code == 302
    age(claim, 31)
    assert run()["overdue"] == 1


def test_a_decided_claim_is_never_chased(client, world, settings):
    settings.REWARD_ESCALATION_GRACE_DAYS = 1
    claim = decided(client, world)
    age(claim, 400)
    before = last_mail_pk()
    assert run() == {"overdue": 0, "escalated": 0}
    assert mails_since(before) == [] and chased(claim) == []
    page = as_user(world["officer"]).get(reverse("rewards_claims"))
    assert b"overdue" not in page.content


def test_a_claim_decided_after_the_reminder_is_not_escalated(client, world):
    claim = claimed(client, world["clue"])
    age(claim, 31)
    assert run()["overdue"] == 1
    assert propose(world["officer"], claim, world["band"]).status_code == 302
    for signer in world["signers"]:
        assert sign(signer, claim).status_code == 302
    Claim.objects.filter(pk=claim.pk).update(overdue_since=timezone.now() - timedelta(days=400))
    assert run() == {"overdue": 0, "escalated": 0}
    assert Action.ESCALATED not in chased(claim)


def test_the_listing_costs_the_same_however_many_claims(client, world):
    claimed(client, world["clue"])
    officer = as_user(world["officer"])
    url = reverse("rewards_claims")
    officer.get(url)
    with CaptureQueriesContext(connection) as one:
        assert officer.get(url).status_code == 200
    for _ in range(3):
        other = concluded()
        client.cookies.clear()
        age(claimed(client, other), 45)
    with CaptureQueriesContext(connection) as four:
        page = officer.get(url)
    assert page.content.count(b"overdue") == 3
    assert len(four) == len(one)


def test_the_signatories_are_told_of_a_proposal_by_a_link_only(
    client, world, django_capture_on_commit_callbacks
):
    claim = claimed(client, world["clue"])
    before = last_mail_pk()
    with django_capture_on_commit_callbacks(execute=False):
        response = propose(world["officer"], claim, world["band"], amount="4321")
    assert response.status_code == 302
    [notice] = mails_since(before)
    assert notice.recipients == sorted(signer.email for signer in world["signers"])
    assert reverse("rewards_claim", args=[claim.pk]) in notice.body
    for secret in ("4321", "线索具体", claim.clue.tracking_number, world["officer"].username):
        assert secret not in notice.body and secret not in notice.subject


def test_a_refused_proposal_tells_no_one(client, world):
    claim = claimed(client, world["clue"])
    before = last_mail_pk()
    assert propose(world["officer"], claim, world["band"], amount="99").status_code != 302
    assert mails_since(before) == []


def test_the_reward_settings_as_shipped_pass(settings):
    assert reward_settings(None) == []


@pytest.mark.parametrize(
    ("name", "value", "error_id", "says"),
    [
        ("REWARD_PAYMENT_METHODS", ["in_person", "cheque"], "rewards.E001", "'cheque'"),
        ("REWARD_PAYMENT_METHODS", "in_person", "rewards.E001", "list"),
        ("REWARD_PAYMENT_METHODS", [], "rewards.W001", "empty"),
        ("REWARD_QUALIFYING_OUTCOMES", ["criminal_case", "arrest"], "rewards.E002", "'arrest'"),
        ("REWARD_QUALIFYING_OUTCOMES", [], "rewards.W002", "empty"),
        ("REWARD_ASSESSMENT_DAYS", 0, "rewards.E003", "at least 1"),
        ("REWARD_CLAIM_WINDOW_DAYS", -5, "rewards.E003", "-5"),
        ("REWARD_ESCALATION_GRACE_DAYS", "30", "rewards.E003", "'30'"),
    ],
)
def test_a_bad_reward_setting_is_refused_clearly(settings, name, value, error_id, says):
    setattr(settings, name, value)
    [problem] = reward_settings(None)
    assert problem.id == error_id and name in problem.msg and says in problem.msg


def test_manage_py_check_refuses_an_unknown_payment_method(settings):
    settings.REWARD_PAYMENT_METHODS = ["paypal"]
    with pytest.raises(SystemCheckError, match=r"rewards\.E001"):
        call_command("check")
