"""The fugitive figures: on the supervisors' statistics page (notices for the national office
only, sightings of the unit's area) and on the public page, suppressed when small."""

from datetime import timedelta

from django.utils import timezone

from wagtail.models import Locale

import pytest

from fugitives.models import NoticePage
from reporting.factories import ClueFactory, MembershipFactory, advance
from reporting.lifecycle.roles import Role
from reporting.models import Clue, Unit
from tests.rewards.conftest import in_english
from tests.rewards.test_statistics import URL, figures, period, public
from transparency import services

from .conftest import english

pytestmark = pytest.mark.django_db


def sighting(notice, days_ago, finding=None):
    clue = ClueFactory(
        subject=notice,
        category="fugitive",
        region="130203",
        what_happened=f"（测试，虚构）{days_ago}天前看见此人。",
    )
    Clue.objects.filter(pk=clue.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    if finding:
        conclusion = {"finding": finding, "outcome": "criminal_case", "text": "（测试）"}
        advance(clue, Clue.Status.CONCLUDED, conclusion=conclusion)
    return clue


@pytest.fixture
def world(staff, demo):
    """Three sightings of the wanted notice in Tangshan: one confirmed, one not, one open;
    then the person is caught (in both languages)."""
    notice = demo["wanted"]
    sighting(notice, 5, finding="substantiated")
    sighting(notice, 4, finding="unsubstantiated")
    sighting(notice, 3)
    for page in (notice, english(notice)):
        page.status = NoticePage.Status.CAUGHT
        page.full_clean()
        page.save_revision().publish()
    people = {
        "national": MembershipFactory(unit=Unit.get_first_root_node(), role=Role.SUPERVISOR).user,
        "hebei": MembershipFactory(
            unit=Unit.objects.get(code="r130000"), role=Role.SUPERVISOR
        ).user,
    }
    for user in people.values():
        in_english(user)
    return {**demo, **people}


def statistics(client, user, **query):
    client.force_login(user)
    unit = Unit.objects.filter(memberships__user=user).get()
    response = client.get(URL, {"unit": unit.pk, **period(), **query})
    assert response.status_code == 200
    return figures(response.content.decode())


def test_the_national_office_reads_notices_and_sightings(world, client):
    shown = statistics(client, world["national"])
    assert shown["Wanted notices published"][0] == "2"  # the demo's two people, not four pages
    assert shown["People wanted now"][0] == "0"
    assert shown["Fugitives caught"] == ("1", "0")  # the demo's other was caught long ago
    assert shown["Fugitives who surrendered"][0] == "0"
    assert shown["Fugitive case rate (%)"][0] == "100.0"
    assert shown["Sightings received"] == ("3", "0")
    assert shown["Sightings that led to a capture"] == ("1", "0")


def test_a_province_reads_its_sightings_but_no_notice_figures(world, client):
    shown = statistics(client, world["hebei"])
    assert shown["Wanted notices published"] == ("—", "—")
    assert shown["Fugitive case rate (%)"] == ("—", "—")
    assert shown["Sightings received"][0] == "3"
    assert shown["Sightings that led to a capture"][0] == "1"


def test_a_sighting_after_the_capture_led_to_none(world, client):
    notice = world["wanted"]
    NoticePage.objects.filter(translation_key=notice.translation_key).update(
        status_since=timezone.localdate() - timedelta(days=6)
    )
    shown = statistics(client, world["national"])
    assert shown["Sightings that led to a capture"][0] == "0"


def test_the_sightings_of_another_period_are_not_counted(world, client):
    shown = statistics(client, world["national"], start="2020-01-01", end="2020-01-31")
    assert shown["Sightings received"] == ("0", "0")
    assert shown["Fugitives caught"] == ("0", "0")


@pytest.fixture
def public_page(world):
    import transparency.demo

    page = transparency.demo.load()
    return page.get_translation(Locale.objects.get(language_code="en"))


@pytest.mark.usefixtures("render_every_time")
def test_the_public_page_shows_the_fugitive_totals(world, public_page, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 1
    services.refresh(force=True)
    shown = public(client, public_page)
    assert shown["Wanted notices published"] == "2"
    assert shown["Fugitives caught"] == "2"
    assert shown["Sightings received"] == "3"
    assert shown["Sightings that led to a capture"] == "1"
    assert "suppressed" in shown["People wanted now"]  # zero is below the minimum too


@pytest.mark.usefixtures("render_every_time")
def test_small_fugitive_figures_are_suppressed(world, public_page, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 3
    services.refresh(force=True)
    shown = public(client, public_page)
    assert shown["Sightings received"] == "3"
    assert "suppressed" in shown["Sightings that led to a capture"]
    assert "suppressed" in shown["Wanted notices published"]
    stored = {row["key"]: row["value"] for row in services.current().figures["registered"]}
    assert stored["fugitive_sightings_captured"] is None
