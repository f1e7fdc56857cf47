from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

import reporting.demo
from portal.factories import UserFactory
from reporting.models import Membership, Region, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(site_tree):
    reporting.demo.load()


def test_a_unit_is_added_under_its_parent_and_edited(admin_client, units):
    hebei = Unit.objects.get(code="r130000")
    response = admin_client.post(
        reverse("units:add"),
        {
            "parent": hebei.pk,
            "name": "石家庄市扫黑办",
            "name_en": "Shijiazhuang Office 2",
            "code": "sjz-2",
            "kind": "city",
            "region": Region.objects.get(code="130100").pk,
            "email": "",
            "webhook_url": "",
            "webhook_secret": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="sjz-2")
    assert unit.get_parent() == hebei
    edit = admin_client.get(reverse("units:edit", args=[unit.pk]))
    assert edit.status_code == 200
    assert 'name="parent"' not in edit.content.decode()


def test_a_second_root_and_deleting_units_are_refused(admin_client, units):
    response = admin_client.post(
        reverse("units:add"),
        {"name": "另一个", "name_en": "Other", "code": "other", "kind": "national"},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(code="other").exists()
    hebei = Unit.objects.get(code="r130000")
    assert admin_client.post(reverse("units:delete", args=[hebei.pk])).status_code in (302, 403)
    assert Unit.objects.filter(code="r130000").exists()


def test_memberships_put_people_in_the_role_group(admin_client, units):
    person = UserFactory(username="new-verifier")
    unit = Unit.objects.get(code="r130200")
    response = admin_client.post(
        reverse("memberships:add"), {"user": person.pk, "unit": unit.pk, "role": "verifier"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    assert person.groups.filter(name="Verifiers").exists()
    membership = Membership.objects.get(user=person)
    admin_client.post(reverse("memberships:delete", args=[membership.pk]))
    assert not person.groups.filter(name="Verifiers").exists()
    assert Group.objects.filter(name="Verifiers").exists()
