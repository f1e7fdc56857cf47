"""Staff reading a clue leaves a trace: who, when, which clue, from which screen, once an hour
per person and clue, shown to the clue's supervisors and to no one else."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

import pytest

from reporting.factories import REPORTER, clue_at
from reporting.lifecycle import ledger
from reporting.lifecycle.reporter import reporter_timeline
from reporting.models import Clue, LedgerEntry

from .helpers import as_user, page

pytestmark = pytest.mark.django_db

VIEWED = LedgerEntry.Action.VIEWED


def views(clue, user=None):
    entries = LedgerEntry.objects.filter(clue=clue, action=VIEWED)
    return entries.filter(actor=user) if user else entries


@pytest.fixture
def clue(staff):
    """Transferred to the Tangshan office: its verifier and both supervisors see it."""
    return clue_at(Clue.Status.TRANSFERRED)


def test_a_look_is_recorded_once_an_hour_per_person(staff, clue):
    verifier, supervisor = staff["verifier-tangshan"], staff["supervisor-hebei"]
    assert page(verifier, clue).status_code == 200
    assert page(verifier, clue).status_code == 200
    entry = views(clue).get()
    assert (entry.actor, entry.note, entry.unit) == (verifier, "inspect", clue.unit)
    # Like every ledger entry, mirrored to Wagtail's audit log under the unit, with its user.
    mirrored = ModelLogEntry.objects.get(action="reporting.viewed")
    assert (mirrored.user, mirrored.data["clue"]) == (verifier, clue.pk)

    assert page(supervisor, clue).status_code == 200
    assert views(clue, supervisor).count() == 1
    assert views(clue).count() == 2


def test_a_look_an_hour_after_the_last_one_is_recorded_again(staff, clue):
    verifier = staff["verifier-tangshan"]
    now = timezone.now()
    # The entry a look 59 minutes ago left: still within the hour.
    ledger.record_view(clue, verifier, "inspect", now=now - timedelta(minutes=59))
    page(verifier, clue)
    assert views(clue, verifier).count() == 1
    # Another person's look an hour and a minute ago: past it.
    supervisor = staff["supervisor-tangshan"]
    ledger.record_view(clue, supervisor, "inspect", now=now - timedelta(minutes=61))
    page(supervisor, clue)
    assert views(clue, supervisor).count() == 2


def test_the_service_decides_by_the_hour_on_the_ledger(staff, clue):
    verifier = staff["verifier-tangshan"]
    start = timezone.now() - timedelta(hours=5)
    assert ledger.record_view(clue, verifier, "inspect", now=start) is not None
    assert ledger.record_view(clue, verifier, "inspect", now=start + timedelta(minutes=30)) is None
    almost = start + timedelta(minutes=59, seconds=59)
    assert ledger.record_view(clue, verifier, "inspect", now=almost) is None
    hour = start + timedelta(hours=1)
    assert ledger.record_view(clue, verifier, "inspect", now=hour) is not None
    assert views(clue).count() == 2


def test_someone_outside_the_clues_scope_gets_404_and_leaves_nothing(staff, clue):
    # The province's verifier and signatory: their unit passed the clue on to Tangshan.
    for outsider in (staff["verifier-hebei"], staff["signer1-hebei"]):
        assert page(outsider, clue).status_code == 404
    assert views(clue).count() == 0


def test_a_refused_reveal_leaves_no_view_and_a_reveal_one(staff):
    clue = clue_at(Clue.Status.SCREENED, reporter=REPORTER)
    supervisor = staff["supervisor-hebei"]
    url = reverse("clues:inspect", args=[clue.pk])
    client = as_user(supervisor)
    # No reason: sent back to the page, whose own visit is the look recorded.
    assert client.post(url, {"reveal-reason": ""}).status_code == 302
    assert views(clue).count() == 0
    response = client.post(url, {"reveal-reason": "需要联系举报人核实"})
    assert response.status_code == 200 and REPORTER["name"] in response.content.decode()
    assert views(clue, supervisor).count() == 1


def test_only_supervisors_see_who_has_looked(staff, clue):
    verifier, supervisor = staff["verifier-tangshan"], staff["supervisor-hebei"]
    page(verifier, clue)
    html = page(verifier, clue).content.decode()
    assert 'id="viewers"' not in html
    # The ledger table on the page leaves views out too, for everyone.
    assert str(VIEWED.label) not in html

    html = page(supervisor, clue).content.decode()
    assert 'id="viewers"' in html
    panel = html[html.index('id="viewers"') :]
    # Both, this supervisor's own look included, by name, family name first.
    assert verifier.get_full_name() in panel and supervisor.get_full_name() in panel
    assert panel.count("<tr>") == 3  # the heading and one row per person


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Who has looked at this clue", "Person", "Screen", "clue page"]),
        ("zh-hans", ["查看过此线索的人员", "人员", "页面", "线索页面"]),
    ],
)
def test_the_panel_in_both_languages(staff, clue, language, words):
    supervisor = staff["supervisor-tangshan"]
    profile = UserProfile.get_for_user(supervisor)
    profile.preferred_language = language
    profile.save()
    html = page(supervisor, clue).content.decode()
    panel = html[html.index('id="viewers"') :]
    assert all(word in panel for word in words), words


def test_the_reporter_never_sees_a_staff_look(staff, clue):
    before = reporter_timeline(clue)
    page(staff["verifier-tangshan"], clue)
    assert views(clue).count() == 1
    assert reporter_timeline(clue) == before


def test_a_look_within_the_hour_writes_nothing(staff, clue):
    """The hourly check is a read; the entry and its audit-log twin are written once."""
    client = as_user(staff["verifier-tangshan"])
    url = reverse("clues:inspect", args=[clue.pk])

    def inserts(queries):
        return sorted(
            table
            for query in queries
            for table in ("reporting_ledgerentry", "wagtailcore_modellogentry")
            if query["sql"].lstrip().upper().startswith("INSERT") and table in query["sql"]
        )

    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200

    def statements(queries):
        control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
        return [query for query in queries if not query["sql"].upper().startswith(control)]

    assert inserts(first) == ["reporting_ledgerentry", "wagtailcore_modellogentry"]
    assert inserts(second) == []
    assert len(statements(second)) == len(statements(first)) - 2
