"""Steps the reporting tests share: a staff member's signed-in client and actions posted as
from a clue's admin page, and a report sent through the public form with its receipt read
back."""

import re

from django.urls import reverse

from reporting.lifecycle import review as workflow
from reporting.models import Clue
from tests.conftest import StaffClient


def as_user(user):
    client = StaffClient()
    client.force_login(user)
    return client


def act(user, clue, action, data=None, follow=True, seen=None):
    """Post an action as from the clue's page as it stands now (or as it stood at `seen`)."""
    url = reverse("clues:act", args=[clue.pk, action])
    data = dict(data or {})
    data.setdefault("seen", workflow.last_decision(clue) if seen is None else seen)
    conclusion = workflow.current_conclusion(Clue.objects.get(pk=clue.pk))
    if conclusion:
        data.setdefault("conclusion", conclusion.pk)
    payload = {f"{action}-{key}": value for key, value in data.items()}
    return as_user(user).post(url, payload, follow=follow)


def page(user, clue):
    return as_user(user).get(reverse("clues:inspect", args=[clue.pk]))


def receipt_codes(html):
    number = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html).group(1)
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    # As a person types it from paper: without the receipt's invisible break opportunities.
    return number, key.replace("\u200b", "")


def submit(client, report_page, valid_data, url="/report/", **overrides):
    _, hidden = report_page(url)
    return client.post(url, {**valid_data(**overrides), **hidden})
