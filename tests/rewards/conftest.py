from django.contrib.auth import get_user_model

from wagtail.users.models import UserProfile

import pytest

from reporting.factories import MembershipFactory, clue_at, members
from reporting.models import Clue, Membership
from rewards.models import RewardBand

Role = Membership.Role
STATUS = "/en/report/status/"
CLAIM = "/en/report/status/reward/"
ACCOUNT = "6222 0212 3456 7890 123"
ACCOUNT_DIGITS = ACCOUNT.replace(" ", "")


def concluded(outcome="criminal_case", status=Clue.Status.FEEDBACK, **kwargs):
    """A clue of Tangshan, concluded by the Tangshan office with this outcome."""
    review = {"conclusion": {"finding": "substantiated", "outcome": outcome}}
    return clue_at(status, review=review, **kwargs)


def unlock(client, clue, key=None):
    return client.post(
        STATUS,
        {"tracking_number": clue.tracking_number, "access_key": key or clue.access_key},
    )


@pytest.fixture
def world(site_tree):
    clue = concluded()
    tangshan = clue.unit
    hebei = tangshan.get_parent()
    elsewhere = concluded(region="130102").unit
    assert tangshan.code == "r130200" and elsewhere != tangshan
    officer = MembershipFactory(unit=tangshan, role=Role.REWARDS).user
    found = {
        "clue": clue,
        "unit": tangshan,
        "officer": officer,
        "officer_elsewhere": MembershipFactory(unit=elsewhere, role=Role.REWARDS).user,
        "signers": members(tangshan, Role.SIGNATORY, count=3),
        "supervisor": MembershipFactory(unit=tangshan, role=Role.SUPERVISOR).user,
        "supervisor_above": MembershipFactory(unit=hebei, role=Role.SUPERVISOR).user,
        "verifier": members(tangshan, Role.VERIFIER)[0],
        "band": RewardBand.objects.create(
            name="（测试）一般", name_en="Test general", lowest=500, highest=5000
        ),
    }
    # The admin speaks each person's own language, not the browser's: in English here, so
    # that assertions on its words, present and absent alike, read what the page shows.
    for value in found.values():
        for user in value if isinstance(value, list) else [value]:
            if isinstance(user, get_user_model()):
                in_english(user)
    return found


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user
