"""The reporter claims a reward on the status page with the receipt alone: when the
conclusion stood with a qualifying outcome, within the window, once."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

import pytest

from reporting.models import Clue, Conclusion, LedgerEntry
from rewards import services
from rewards.models import Claim

from .conftest import ACCOUNT, ACCOUNT_DIGITS, CLAIM, STATUS, concluded, unlock

pytestmark = pytest.mark.django_db
Action = LedgerEntry.Action


def bank(**fields):
    return {
        "method": "bank_transfer",
        "account_holder": "（测试）王小明",
        "bank": "（测试）某银行唐山分行",
        "account_number": ACCOUNT,
        **fields,
    }


def scan_for(text):
    """Every text and binary value of every table, read with raw SQL: where `text` is."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    if isinstance(value, str) and text in value:
                        found.append(table)
    return found


def test_an_anonymous_reporter_claims_in_person_with_nothing_else_asked(client, world):
    clue = world["clue"]
    assert clue.identity == Clue.Identity.ANONYMOUS
    unlock(client, clue)
    html = client.get(STATUS).content.decode()
    deadline = services.claim_deadline(services.standing_conclusion(clue))
    assert 'id="reward-offer"' in html and "you may claim a reward until" in html
    assert str(deadline.year) in html
    response = client.post(CLAIM, {"method": "in_person"})
    assert response.status_code == 302 and response["Referrer-Policy"] == "no-referrer"
    claim = Claim.objects.get(clue=clue)
    assert claim.method == "in_person" and claim.payment_sealed is None
    assert claim.unit == world["unit"] and claim.status == Claim.Status.CLAIMED
    assert clue.ledger.filter(action=Action.REWARD_CLAIMED).count() == 1
    html = client.get(STATUS).content.decode()
    assert "You claimed a reward on" in html and 'id="reward-offer"' not in html


def test_a_named_reporter_claims_by_transfer_sealed_at_rest(client, world):
    clue = concluded(named=True)
    unlock(client, clue)
    assert client.post(CLAIM, bank()).status_code == 302
    claim = Claim.objects.get(clue=clue)
    assert claim.payment_sealed is not None
    assert services.payment_details(claim)["number"] == ACCOUNT_DIGITS
    assert scan_for(ACCOUNT_DIGITS) == []
    assert scan_for("某银行唐山分行") == []


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"account_number": "12345"}, "account_number"),
        ({"account_number": "6222-abc-0212-3456"}, "account_number"),
        ({"account_number": ""}, "account_number"),
        ({"account_holder": "  "}, "account_holder"),
        ({"method": "cash_in_a_bag"}, "method"),
        ({"method": ""}, "method"),
    ],
)
def test_bad_bank_details_are_refused_and_kept_on_the_page(client, world, fields, field):
    unlock(client, world["clue"])
    response = client.post(CLAIM, bank(**fields))
    assert response.status_code == 400
    assert response.context["section_errors"]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Claim.objects.exists()


def _refused(client, clue):
    unlock(client, clue)
    assert 'id="reward' not in client.get(STATUS).content.decode()
    response = client.post(CLAIM, {"method": "in_person"})
    assert response.status_code == 400
    assert "A reward cannot be claimed for this report." in response.content.decode()
    assert not Claim.objects.filter(clue=clue).exists()


def test_no_claim_before_a_conclusion_stands(client, world):
    _refused(client, concluded(status=Clue.Status.VERIFYING))


def test_no_claim_for_an_outcome_that_does_not_qualify(client, world):
    _refused(client, concluded(outcome="no_action"))


def test_no_claim_after_the_window(client, world, settings):
    clue = world["clue"]
    stood = timezone.now() - timedelta(days=settings.REWARD_CLAIM_WINDOW_DAYS + 1)
    Conclusion.objects.filter(clue=clue).update(stood_at=stood)
    _refused(client, clue)


def test_one_claim_per_clue(client, world):
    unlock(client, world["clue"])
    assert client.post(CLAIM, {"method": "in_person"}).status_code == 302
    response = client.post(CLAIM, bank())
    assert response.status_code == 400
    assert "already been claimed" in response.content.decode()
    assert Claim.objects.filter(clue=world["clue"]).count() == 1
    assert scan_for(ACCOUNT_DIGITS) == []


def test_a_wrong_access_key_reaches_no_claim(client, world):
    clue = world["clue"]
    assert unlock(client, clue, key="AAAA-BBBB-CCCC-DDDD").status_code == 400
    response = client.post(CLAIM, {"method": "in_person"})
    assert response.status_code == 302 and response["Location"].endswith("/report/status/")
    page = client.get(STATUS).content.decode()
    assert 'id="reward' not in page and 'name="access_key"' in page
    assert not Claim.objects.exists()


def test_only_configured_payment_methods_are_offered(client, world, settings):
    settings.REWARD_PAYMENT_METHODS = ["in_person"]
    unlock(client, world["clue"])
    assert 'value="bank_transfer"' not in client.get(STATUS).content.decode()
    assert client.post(CLAIM, bank()).status_code == 400
    assert not Claim.objects.exists()
