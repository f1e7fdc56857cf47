"""Who is told of a new clue: the intake staff whose units cover it, found in one query,
always the same people the Python rule (scope.covers) names."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from portal.factories import SuperuserFactory, UserFactory
from reporting.lifecycle import scope
from reporting.lifecycle.roles import add_member
from reporting.lifecycle.scope import covers
from reporting.models import Clue, Membership, Region, Unit

pytestmark = pytest.mark.django_db


def by_the_python_rule(clue):
    intake = Membership.objects.filter(role=Membership.Role.INTAKE).select_related(
        "unit__region", "user"
    )
    people = {m.user for m in intake if covers(m.unit, clue)}
    people |= set(get_user_model().objects.filter(is_superuser=True))
    return sorted({p.email for p in people if p.is_active and p.email})


@pytest.fixture
def offices(staff):
    """An intake reviewer in every unit of the demo, one without an email, one inactive."""
    for number, unit in enumerate(Unit.objects.all()):
        add_member(UserFactory(email=f"intake{number}@example.test"), unit, "intake")
    hebei = Unit.objects.filter(region__code="130000").first()
    add_member(UserFactory(email=""), hebei, "intake")
    add_member(UserFactory(email="gone@example.test", is_active=False), hebei, "intake")
    SuperuserFactory(email="root@example.test")
    return staff


@pytest.mark.parametrize(
    ("region", "off_site", "size"),
    [
        (None, None, 2),
        ("130000", None, 4),
        ("130200", None, 5),
        ("130203", None, 6),
        ("130203", "130200", 4),
        ("110000", None, 3),
    ],
    ids=["no region", "province", "city", "county", "county sent off site", "another province"],
)
def test_the_query_names_whom_the_rule_names(offices, region, off_site, size):
    clue = Clue(
        region=Region.objects.get(code=region) if region else None,
        off_site_local=Region.objects.get(code=off_site).path if off_site else "",
    )
    with CaptureQueriesContext(connection) as queries:
        found = scope.intake_recipients(clue)
    assert len(queries) == 1
    assert found == by_the_python_rule(clue)
    assert "root@example.test" in found and "gone@example.test" not in found
    assert len(found) == size  # the cases reach different offices
