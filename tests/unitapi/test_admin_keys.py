"""The key pages of the admin: a supervisor of the unit creates a key, sees it once, revokes
it; a supervisor elsewhere finds nothing; a verifier has no such pages."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry

import pytest

from reporting.factories import MembershipFactory
from reporting.models import Membership, Unit
from tests.reporting.helpers import as_user
from unitapi.forms import ApiKeyForm
from unitapi.models import ApiKey

from .conftest import API, bearer

Role = Membership.Role


@pytest.fixture
def people(world):
    tangshan, elsewhere = world["unit"], world["elsewhere"].unit
    return {
        "supervisor": MembershipFactory(unit=tangshan, role=Role.SUPERVISOR).user,
        "supervisor_elsewhere": MembershipFactory(unit=elsewhere, role=Role.SUPERVISOR).user,
        "verifier": MembershipFactory(unit=tangshan, role=Role.VERIFIER).user,
    }


def _create(client, unit, **fields):
    data = {
        "name": "案件系统",
        "unit": unit.pk,
        "scopes": ["read", "evidence"],
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **fields,
    }
    return client.post(reverse("unitapi_key_add"), data)


def test_a_supervisor_creates_sees_once_and_revokes(world, people, client):
    supervisor = as_user(people["supervisor"])
    response = _create(supervisor, world["unit"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = ApiKey.objects.get(name="案件系统")
    key = response.context["key"]
    assert key.startswith(f"ucs_{row.prefix}_") and key in response.content.decode()
    assert row.created_by == people["supervisor"] and row.scopes == ["evidence", "read"]
    # The key works, and the list shows its prefix, never the key.
    assert client.get(f"{API}/clues", **bearer(key)).status_code == 200
    listing = supervisor.get(reverse("unitapi_keys"))
    assert row.prefix in listing.content.decode() and key not in listing.content.decode()

    assert supervisor.get(reverse("unitapi_key_revoke", args=[row.pk])).status_code == 405
    supervisor.post(reverse("unitapi_key_revoke", args=[row.pk]))
    row.refresh_from_db()
    assert row.revoked_at and row.revoked_by == people["supervisor"]
    logged = ModelLogEntry.objects.filter(object_id=str(row.pk), content_type__model="apikey")
    assert list(logged.order_by("timestamp").values_list("action", "user")) == [
        ("wagtail.create", people["supervisor"].pk),
        ("unitapi.revoke", people["supervisor"].pk),
    ]
    assert client.get(f"{API}/clues", **bearer(key)).status_code == 401


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"scopes": []},
        {"scopes": ["root"]},
        {"expires_on": "2000-01-01"},
        {"expires_on": "not a date"},
        {"name": "x" * 101},
    ],
)
def test_bad_key_forms_are_refused_and_nothing_is_created(world, people, fields):
    response = _create(as_user(people["supervisor"]), world["unit"], **fields)
    assert response.status_code == 400
    assert not ApiKey.objects.filter(created_by=people["supervisor"]).exists()


def test_a_key_lasts_a_year_at_most(world, people):
    too_late = (timezone.localdate() + timedelta(days=367)).isoformat()
    response = _create(as_user(people["supervisor"]), world["unit"], expires_on=too_late)
    assert response.status_code == 400


def test_a_supervisor_elsewhere_cannot_reach_the_units_keys(world, people):
    other = as_user(people["supervisor_elsewhere"])
    # Not among the units offered: the form refuses it.
    assert _create(other, world["unit"]).status_code == 400
    row = ApiKey.authenticate(world["right"])
    assert other.post(reverse("unitapi_key_revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert row.prefix not in other.get(reverse("unitapi_keys")).content.decode()


def test_a_verifier_has_no_key_pages(world, people):
    verifier = as_user(people["verifier"])
    assert verifier.get(reverse("unitapi_keys")).status_code == 404
    assert verifier.get(reverse("unitapi_key_add")).status_code == 404
    row = ApiKey.authenticate(world["right"])
    assert verifier.post(reverse("unitapi_key_revoke", args=[row.pk])).status_code == 404


def test_a_superuser_sees_every_units_keys(world, admin_client):
    listing = admin_client.get(reverse("unitapi_keys")).content.decode()
    assert ApiKey.authenticate(world["right"]).prefix in listing
    assert ApiKey.authenticate(world["other_unit"]).prefix in listing


def test_only_someone_who_may_reveal_a_reporter_gives_a_key_the_identity_scope(world, people):
    supervisor = people["supervisor"]
    assert supervisor.has_perm("reporting.reveal_reporter")
    response = _create(as_user(supervisor), world["unit"], scopes=["read", "identity"])
    assert response.status_code == 200
    assert ApiKey.objects.get(name="案件系统").scopes == ["identity", "read"]
    # A person without that permission (here a verifier, given the form as if they could
    # reach it) is not offered the scope, and a forged choice of it is refused.
    verifier = people["verifier"]
    assert not verifier.has_perm("reporting.reveal_reporter")
    units = Unit.objects.filter(pk=world["unit"].pk)
    form = ApiKeyForm(
        {"name": "b", "unit": world["unit"].pk, "scopes": ["read", "identity"],
         "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat()},
        units=units, user=verifier,
    )  # fmt: skip
    assert not form.is_valid() and "scopes" in form.errors
    assert "identity" not in dict(form.fields["scopes"].choices)


def test_only_the_units_own_supervisor_gives_a_key_that_acts(world, people):
    """A key that acts signs in the names of the unit's signatories: a supervisor of the
    province above Tangshan may give Tangshan a key that reads, not one that acts."""
    province = world["unit"].get_parent()
    above = as_user(MembershipFactory(unit=province, role=Role.SUPERVISOR).user)
    refused = _create(above, world["unit"], scopes=["read", "act"])
    assert refused.status_code == 400
    assert "itself" in refused.content.decode() or "本身" in refused.content.decode()
    assert not ApiKey.objects.filter(name="案件系统").exists()
    assert _create(above, world["unit"], scopes=["read"]).status_code == 200
    assert _create(as_user(people["supervisor"]), world["unit"], scopes=["act"]).status_code == 200
    assert sorted(ApiKey.objects.filter(name="案件系统").values_list("scopes", flat=True)) == [
        ["act"],
        ["read"],
    ]
