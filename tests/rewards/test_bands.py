"""Bands in the admin: whole positive yuan, the lowest not above the highest."""

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from portal.factories import SuperuserFactory
from rewards.models import RewardBand
from tests.reporting.helpers import as_user

pytestmark = pytest.mark.django_db


def band(**fields):
    return {
        "name": "（测试）一般",
        "name_en": "Test general",
        "lowest": "500",
        "highest": "5000",
        "description": "",
        "description_en": "",
        **fields,
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"lowest": "6000"},
        {"lowest": "-5"},
        {"lowest": "0"},
        {"highest": "12.5"},
        {"highest": "1" + "0" * 20},
        {"name": ""},
    ],
)
def test_bad_bands_are_refused(site_tree, fields):
    admin = as_user(SuperuserFactory())
    response = admin.post(reverse("reward_bands:add"), band(**fields))
    assert response.status_code == 200 and response.context["form"].errors
    assert not RewardBand.objects.exists()


def test_a_band_is_added_and_reward_officers_may_see_bands(site_tree):
    admin = as_user(SuperuserFactory())
    assert admin.post(reverse("reward_bands:add"), band()).status_code == 302
    assert RewardBand.objects.get().highest == 5000
    officers = Group.objects.get(name="Reward officers")
    assert officers.permissions.filter(codename="view_rewardband").exists()
    assert officers.permissions.filter(codename="access_admin").exists()
