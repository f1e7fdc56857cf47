from datetime import timedelta

from django.utils import timezone

import pytest

from reporting.factories import clue_at, unit_for
from reporting.models import Clue, Region
from unitapi.models import ApiKey

API = "/api/units/v1"
ALL_SCOPES = [scope.value for scope in ApiKey.Scope]


@pytest.fixture
def world(db):
    """Two clues with the Tangshan office (one named, with a photo), one with Shijiazhuang,
    and keys: the right one, one of each way a key fails, one without scopes."""
    tangshan_clue = clue_at(Clue.Status.TRANSFERRED, named=True, photos=1)
    tangshan_other = clue_at(Clue.Status.ACKNOWLEDGED)
    elsewhere = clue_at(Clue.Status.TRANSFERRED, region="130102")
    tangshan = tangshan_clue.unit
    shijiazhuang = elsewhere.unit
    assert tangshan.code == "r130200" and shijiazhuang != tangshan

    def key(unit=tangshan, scopes=ALL_SCOPES, **fields):
        return ApiKey.issue(unit=unit, name="case system", scopes=scopes, **fields)[1]

    revoked_row, revoked = ApiKey.issue(unit=tangshan, name="old", scopes=ALL_SCOPES)
    revoked_row.revoke(None)
    return {
        "clue": tangshan_clue,
        "other": tangshan_other,
        "elsewhere": elsewhere,
        "unit": tangshan,
        "right": key(),
        "revoked": revoked,
        "expired": key(expires_at=timezone.now() - timedelta(seconds=1)),
        "no_scope": key(scopes=[]),
        "other_unit": key(unit=shijiazhuang),
        "region": Region.objects.get(code="130203"),
        "unit_for": unit_for,
    }


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
