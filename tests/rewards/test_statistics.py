"""The reward figures on the supervisors' statistics page and on the public one: counted for
the unit's subtree and period only, and on the public page suppressed when small (the amount
paid with its count)."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Locale

import pytest

from reporting.jobs import statistics_snapshots as snapshots
from reporting.models import Conclusion
from rewards.models import Claim
from transparency import services

from .conftest import concluded

pytestmark = pytest.mark.django_db
URL = "/admin/reporting/statistics/"
Status = Claim.Status


def claim(clue, *, stood_days_ago=30, status=Status.CLAIMED, amount=None, paid_days_ago=None):
    """A claim on a concluded clue, its conclusion standing `stood_days_ago` days ago."""
    now = timezone.now()
    Conclusion.objects.filter(clue=clue).exclude(stood_at=None).update(
        stood_at=now - timedelta(days=stood_days_ago)
    )
    decided = status != Status.CLAIMED
    return Claim.objects.create(
        clue=clue,
        unit=clue.unit,
        method=Claim.Method.IN_PERSON,
        status=status,
        claimed_at=now - timedelta(days=3),
        amount=amount,
        decided_at=now - timedelta(days=2) if decided else None,
        paid_on=timezone.localdate() - timedelta(days=paid_days_ago)
        if paid_days_ago is not None
        else None,
    )


@pytest.fixture
def claims(world):
    """Tangshan: two paid (2,000 and 3,000 yuan, 18 and 8 days after the conclusion stood),
    one decided (1,000), one waiting. Shijiazhuang, also in Hebei: one paid (9,000)."""
    claim(world["clue"], status=Status.PAID, amount=2000, stood_days_ago=20, paid_days_ago=2)
    claim(concluded(), status=Status.PAID, amount=3000, stood_days_ago=10, paid_days_ago=2)
    claim(concluded(), status=Status.DECIDED, amount=1000)
    claim(concluded())
    elsewhere = concluded(region="130102")
    claim(elsewhere, status=Status.PAID, amount=9000, stood_days_ago=40, paid_days_ago=1)
    return world


def figures(html):
    """{row label: (this period, previous period)} of the page's first table."""
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td>', html)
    return {label: (current.strip(), previous.strip()) for label, current, previous in rows}


def period():
    today = timezone.localdate()
    return {"start": (today - timedelta(days=10)).isoformat(), "end": today.isoformat()}


def rewards_of(client, user, unit):
    client.force_login(user)
    response = client.get(URL, {"unit": unit.pk, **period()})
    assert response.status_code == 200
    return figures(response.content.decode())


def test_the_supervisor_reads_the_reward_figures_of_their_subtree(claims, client):
    shown = rewards_of(client, claims["supervisor"], claims["unit"])
    assert shown["Reward claims made"] == ("4", "0")
    assert shown["Rewards decided"] == ("3", "0")
    assert shown["Amount decided (yuan)"][0].replace(",", "") == "6000"
    assert shown["Rewards paid"] == ("2", "0")
    # 18 and 8 days: the median of an even count is the mean of the middle two.
    assert shown["Median days from conclusion to payment"] == ("13.0", "—")
    # The Shijiazhuang claim counts for Hebei, above both.
    above = rewards_of(client, claims["supervisor_above"], claims["unit"].get_parent())
    assert above["Reward claims made"][0] == "5"
    assert above["Amount decided (yuan)"][0].replace(",", "") == "15000"
    assert above["Rewards paid"][0] == "3"


def test_claims_outside_the_period_are_not_counted(claims, client):
    client.force_login(claims["supervisor"])
    long_ago = {"start": "2020-01-01", "end": "2020-01-31"}
    response = client.get(URL, {"unit": claims["unit"].pk, **long_ago})
    shown = figures(response.content.decode())
    assert shown["Reward claims made"] == ("0", "0")
    assert shown["Median days from conclusion to payment"] == ("—", "—")


def test_the_snapshot_keeps_the_reward_figures(claims, client):
    snapshots.refresh(force=True)
    client.force_login(claims["supervisor_above"])
    hebei = claims["unit"].get_parent()
    client.get(URL, {"unit": hebei.pk, "preset": "month"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"unit": hebei.pk, "preset": "month"})
    html = response.content.decode()
    assert "Figures as of" in html
    assert "rewards_claim" not in " ".join(query["sql"] for query in queries.captured_queries)
    live = client.get(URL, {"unit": hebei.pk, "preset": "month", "live": 1}).content.decode()
    assert "Counted just now" in live
    stored, counted = figures(html), figures(live)
    assert "Reward claims made" in stored
    assert stored == counted


def test_the_page_costs_the_same_queries_whatever_the_claims(claims, client):
    def count():
        client.force_login(claims["supervisor"])
        client.get(URL, {"unit": claims["unit"].pk, **period()})
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"unit": claims["unit"].pk, **period()})
        return len(queries)

    before = count()
    for _ in range(3):
        claim(concluded(), status=Status.PAID, amount=500, paid_days_ago=1)
    assert count() == before


@pytest.fixture
def public_page(world):
    import transparency.demo

    page = transparency.demo.load()
    return page.get_translation(Locale.objects.get(language_code="en"))


def public(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    cells = re.findall(r"<div><dt>([^<]+)</dt><dd>(.*?)</dd></div>", html)
    return dict(cells)


@pytest.mark.usefixtures("render_every_time")
def test_the_public_page_shows_the_reward_totals(claims, public_page, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 3
    services.refresh(force=True)
    shown = public(client, public_page)
    assert shown["Reward claims"] == "5"
    assert shown["Rewards decided"] == "4"
    assert shown["Rewards paid"] == "3"
    assert shown["Amount paid (yuan)"] == "14,000"
    html = client.get(public_page.url).content.decode()
    assert "The total of the rewards paid, in yuan" in html


@pytest.mark.usefixtures("render_every_time")
def test_a_small_count_and_its_amount_are_suppressed(claims, public_page, client, settings):
    settings.PUBLIC_STATISTICS_MIN_COUNT = 4
    services.refresh(force=True)
    shown = public(client, public_page)
    assert shown["Reward claims"] == "5"
    assert "suppressed" in shown["Rewards paid"]
    assert "suppressed" in shown["Amount paid (yuan)"]
    assert "14,000" not in client.get(public_page.url).content.decode()
    stored = services.current().figures["registered"]
    assert {row["key"]: row["value"] for row in stored}["reward_amount_paid"] is None


def test_an_old_snapshot_is_recomputed(claims):
    services.refresh(force=True)
    snapshot = services.current()
    snapshot.figures = {**snapshot.figures, "format": services.FORMAT - 1}
    snapshot.save()
    assert services.refresh().figures["registered"]
