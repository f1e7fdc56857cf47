"""Bank details are sealed with the reporters' keys: `rotate_reward_key` re-seals them with the
newest, so the old key can go, and says clearly when a key it needs is missing."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

import pytest
from cryptography.fernet import Fernet

from tests.reporting.helpers import as_user

from .conftest import ACCOUNT_DIGITS
from .test_claims import bank
from .test_decision import claimed, propose, sign

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def payment_page(world, claim):
    return as_user(world["officer"]).get(reverse("rewards_claim", args=[claim.pk]))


def test_rotation_re_seals_the_bank_details_with_the_new_key(client, world):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        claim = claimed(client, world["clue"], bank())
        propose(world["officer"], claim, world["band"])
        for signer in world["signers"]:
            sign(signer, claim)
        client.post("/en/report/status/reward/accept/")
        before = bytes(type(claim).objects.get(pk=claim.pk).payment_sealed)
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW, OLD]):
        out = StringIO()
        call_command("rotate_reward_key", stdout=out)
        assert "Re-encrypted the bank details of 1 claims." in out.getvalue()
    claim.refresh_from_db()
    assert bytes(claim.payment_sealed) != before
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]):
        html = payment_page(world, claim).content.decode()
        assert 'id="bank-details"' in html and ACCOUNT_DIGITS in html


def test_rotation_without_the_old_key_stops_with_a_clear_error(client, world):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        claimed(client, world["clue"], bank())
    with (
        override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]),
        pytest.raises(CommandError, match="add the old key back"),
    ):
        call_command("rotate_reward_key", stdout=StringIO())
