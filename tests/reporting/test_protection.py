"""Protection requests through HTTP: asked with the report or on the status page, routed away
from the local unit when it verifies off-site, handled on a page only those it is routed to
open (every opening recorded), answered to the reporter, and never in an export or the units'
API."""

import csv
import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from reporting.factories import ClueFactory, MembershipFactory
from reporting.jobs import deadlines
from reporting.lifecycle import protection
from reporting.lifecycle import review as workflow
from reporting.models import (
    Clue,
    LedgerEntry,
    Membership,
    OutgoingMail,
    ProtectionRequest,
    Transfer,
    Unit,
)
from unitapi.models import ApiKey

from .helpers import as_user, submit

pytestmark = pytest.mark.django_db

A = LedgerEntry.Action
FEAR_TEXT = "（测试）举报后有人在我家门口放话要报复。"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _in_english(user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def staff(staff):
    """The admin in English for the demo's staff: the admin speaks each person's own
    language, not the browser's, and the assertions here, present and absent alike, must
    read the words the page really shows."""
    for user in staff.values():
        _in_english(user)
    return staff


@pytest.fixture
def admin_client(admin_client, superuser):
    _in_english(superuser)
    return admin_client


def unit(code):
    return Unit.objects.get(code=code)


def soon(days=30):
    return timezone.now() + timedelta(days=days)


def unlock(client, clue):
    response = client.post(
        "/report/status/",
        {"tracking_number": clue.tracking_number, "access_key": clue.access_key},
    )
    assert response.status_code == 302
    return client


def ask(client, kind="fear", details=FEAR_TEXT):
    return client.post("/en/report/status/protection/", {"kind": kind, "details": details})


def page_url(item):
    return reverse("protection_request", args=[item.pk])


def asked_clue(**kwargs):
    return ClueFactory(protection=("fear", FEAR_TEXT), **kwargs)


@pytest.fixture
def guangdong_supervisor(staff):
    user = get_user_model().objects.create_user("supervisor-guangdong", "sg@example.test")
    MembershipFactory(user=user, unit=unit("r440000"), role=Membership.Role.SUPERVISOR)
    return _in_english(user)


def off_site(clue, staff):
    workflow.accept(clue, staff["intake-hebei"])
    workflow.transfer(
        clue,
        staff["supervisor-hebei"],
        to_unit=unit("r440300"),
        mode=Transfer.Mode.OFF_SITE,
        deadline=soon(),
    )
    clue.refresh_from_db()
    assert clue.off_site_local and clue.unit.code == "r440300"
    return clue


# Asking


def test_asked_with_the_report_is_sealed_routed_and_told_by_a_link(
    client, staff, report_page, valid_data
):
    response = submit(
        client,
        report_page,
        valid_data,
        protection="suffered",
        protection_details=FEAR_TEXT,
    )
    assert response.status_code == 302
    item = ProtectionRequest.objects.get()
    assert item.kind == "suffered" and item.source == "report" and item.is_open
    assert item.due_at - item.opened_at == timedelta(days=3)
    assert FEAR_TEXT.encode() not in bytes(item.messages_sealed)
    assert protection.messages(item)[0]["text"] == FEAR_TEXT
    assert item.clue.ledger.filter(action=A.PROTECTION_REQUESTED).count() == 1
    mail = OutgoingMail.objects.get(body__contains=page_url(item))
    assert mail.recipients == [staff["supervisor-hebei"].email]
    assert FEAR_TEXT not in mail.body and FEAR_TEXT not in mail.subject


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        ("fear", "", "protection_details"),
        ("fear", "   \n\t ", "protection_details"),
        ("fear", "x" * 5001, "protection_details"),
        ("fear", "有人\x00威胁", "protection_details"),
        ("", FEAR_TEXT, "protection"),
        ("revenge", FEAR_TEXT, "protection"),
    ],
)
def test_the_report_form_refuses_a_bad_request_and_keeps_everything(
    client, staff, report_page, valid_data, kind, details, field
):
    response = submit(client, report_page, valid_data, protection=kind, protection_details=details)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Clue.objects.exists() and not ProtectionRequest.objects.exists()
    # What they wrote is still in the form, apart from what could never be kept.
    if "\x00" not in details:
        assert response.context["form"]["protection_details"].value() == details


def test_a_report_without_protection_opens_none(client, staff, report_page, valid_data):
    assert submit(client, report_page, valid_data).status_code == 302
    assert Clue.objects.exists() and not ProtectionRequest.objects.exists()


def test_asked_on_the_status_page_and_a_second_message_is_added(client, staff):
    clue = ClueFactory()
    unlock(client, clue)
    page = client.get("/en/report/status/")
    assert b"Ask for protection" in page.content
    assert ask(client).status_code == 302
    item = ProtectionRequest.objects.get()
    assert item.source == "status_page" and item.kind == "fear"
    assert b"Add to my request" in client.get("/en/report/status/").content
    # While it is open, another message joins it (and says retaliation happened).
    assert ask(client, kind="suffered", details="（测试）今天店门被砸。").status_code == 302
    item = ProtectionRequest.objects.get()
    assert item.kind == "suffered"
    assert [m["text"] for m in protection.messages(item)] == [FEAR_TEXT, "（测试）今天店门被砸。"]
    entries = clue.ledger.filter(action=A.PROTECTION_REQUESTED)
    assert [e.note for e in entries] == ["", "added"]


@pytest.mark.parametrize(
    ("kind", "details"),
    [
        ("fear", ""),
        ("fear", "  \n "),
        ("fear", "x" * 5001),
        ("fear", "a\x00b"),
        ("", FEAR_TEXT),
        ("other", FEAR_TEXT),
    ],
)
def test_the_status_page_refuses_bad_input_and_shows_it_back(client, staff, kind, details):
    clue = ClueFactory()
    unlock(client, clue)
    response = ask(client, kind=kind, details=details)
    assert response.status_code == 400
    assert response.context["section_errors"]
    html = response.content.decode()
    assert 'id="protection"' in html and "field__error" in html
    assert not ProtectionRequest.objects.exists()


def test_a_post_without_an_unlocked_status_page_keeps_nothing(client, staff):
    ClueFactory()
    response = ask(client)
    assert response.status_code == 302 and response["Location"].endswith("/report/status/")
    assert not ProtectionRequest.objects.exists()
    assert client.get("/report/status/protection/").status_code == 405


# Routing


def test_routing_rule_for_each_case(staff, guangdong_supervisor):
    new = ClueFactory()
    assert protection.routed_unit(new).code == "r130000"  # the intake office covering it
    unknown = ClueFactory(region=None)
    assert protection.routed_unit(unknown) == Unit.get_first_root_node()
    held = ClueFactory(status=Clue.Status.TRANSFERRED)
    assert protection.routed_unit(held).code == "r130200"
    away = off_site(ClueFactory(), staff)
    assert protection.routed_unit(away).code == "r440000"  # the verifying unit's parent
    assert protection.handlers(away) == [guangdong_supervisor]
    assert protection.handlers(held) == [staff["supervisor-tangshan"]]
    assert protection.handlers(new) == [staff["supervisor-hebei"]]


def test_an_unheld_clue_goes_to_the_intake_offices_supervisors(staff, admin_user):
    item = asked_clue().protection_requests.get()
    assert as_user(staff["supervisor-hebei"]).get(page_url(item)).status_code == 200
    assert as_user(admin_user).get(page_url(item)).status_code == 200
    for other in ("supervisor-tangshan", "verifier-tangshan", "intake-hebei", "signer1-hebei"):
        assert as_user(staff[other]).get(page_url(item)).status_code == 404, other


def test_a_held_clue_goes_to_its_units_supervisors(staff):
    clue = ClueFactory(status=Clue.Status.TRANSFERRED)
    unlocked = unlock(Client(), clue)
    assert ask(unlocked).status_code == 302
    item = clue.protection_requests.get()
    assert as_user(staff["supervisor-tangshan"]).get(page_url(item)).status_code == 200
    assert as_user(staff["verifier-tangshan"]).get(page_url(item)).status_code == 404
    mail = OutgoingMail.objects.get(body__contains=page_url(item))
    assert mail.recipients == [staff["supervisor-tangshan"].email]


def test_off_site_verification_keeps_the_local_network_out(staff, guangdong_supervisor):
    clue = off_site(ClueFactory(), staff)
    unlocked = unlock(Client(), clue)
    assert ask(unlocked).status_code == 302
    item = clue.protection_requests.get()
    assert as_user(guangdong_supervisor).get(page_url(item)).status_code == 200
    for local in ("supervisor-tangshan", "supervisor-hebei", "verifier-tangshan"):
        assert as_user(staff[local]).get(page_url(item)).status_code == 404, local
    mail = OutgoingMail.objects.get(body__contains=page_url(item))
    assert mail.recipients == [guangdong_supervisor.email]


def test_an_unknown_request_is_404(staff):
    assert (
        as_user(staff["supervisor-hebei"]).get("/admin/reporting/protection/999/").status_code
        == 404
    )


# Staff


def test_every_view_is_recorded(staff):
    item = asked_clue().protection_requests.get()
    supervisor = as_user(staff["supervisor-hebei"])
    for _round in range(3):
        page = supervisor.get(page_url(item), **EN)
        assert page.status_code == 200
        assert FEAR_TEXT in page.content.decode()
    views = item.clue.ledger.filter(action=A.PROTECTION_VIEWED)
    assert views.count() == 3
    assert {entry.actor for entry in views} == {staff["supervisor-hebei"]}
    # A refused opening is not a view.
    as_user(staff["supervisor-tangshan"]).get(page_url(item))
    assert views.count() == 3


def test_measures_and_answer_reach_the_reporter(client, staff):
    clue = asked_clue()
    item = clue.protection_requests.get()
    supervisor = as_user(staff["supervisor-hebei"])
    measures_url = reverse("protection_measures", args=[item.pk])
    answer_url = reverse("protection_answer", args=[item.pk])
    assert supervisor.post(measures_url, {"text": "   "}).status_code == 400
    assert supervisor.post(measures_url, {"text": "x" * 5001}).status_code == 400
    assert supervisor.post(measures_url, {"text": "（测试）已安排民警巡逻。"}).status_code == 302
    assert supervisor.post(answer_url, {"text": ""}).status_code == 400
    answer = "We have arranged patrols near your home."
    assert supervisor.post(answer_url, {"text": answer}).status_code == 302
    item.refresh_from_db()
    assert not item.is_open and answer.encode() not in bytes(item.answer_sealed)
    assert [m["text"] for m in protection.measures(item)] == ["（测试）已安排民警巡逻。"]
    assert supervisor.post(answer_url, {"text": "again"}).status_code == 409
    # Nobody else records or answers.
    other = as_user(staff["supervisor-tangshan"])
    assert other.post(measures_url, {"text": "x"}).status_code == 404
    actions = list(clue.ledger.values_list("action", flat=True))
    assert actions.count(A.PROTECTION_MEASURES) == 1
    assert actions.count(A.PROTECTION_ANSWERED) == 1
    # The reporter reads it; a new message after the answer opens a new request.
    unlock(client, clue)
    assert answer in client.get("/en/report/status/").content.decode()
    assert ask(client).status_code == 302
    assert clue.protection_requests.count() == 2
    assert clue.protection_requests.filter(answered_at=None).count() == 1


def test_the_queue_marks_and_filters_for_those_it_is_routed_to_only(staff):
    clue = asked_clue()
    ClueFactory()  # another clue, without a request
    handler = as_user(staff["supervisor-hebei"])
    queue = reverse("clues:index")
    listed = handler.get(queue + "?protection=true", **EN)
    assert listed.status_code == 200
    assert [row.pk for row in listed.context["object_list"]] == [clue.pk]
    assert "Protection requested" in listed.content.decode()
    ProtectionRequest.objects.update(due_at=timezone.now() - timedelta(hours=1))
    assert "Protection overdue" in handler.get(queue, **EN).content.decode()
    # The local unit's supervisor sees the clue, but not that protection was asked.
    local = as_user(staff["supervisor-tangshan"])
    plain = local.get(queue, **EN).content.decode()
    assert clue.tracking_number[:4] in plain
    # Supervisors get the filter, which lists only the requests routed to them.
    assert "protection-marker" not in plain
    filtered = local.get(queue + "?protection=true", **EN)
    assert list(filtered.context["object_list"]) == []
    # Other roles get neither the filter nor the column.
    verifier = as_user(staff["intake-hebei"]).get(queue, **EN).content.decode()
    assert clue.tracking_number[:4] in verifier and "rotection" not in verifier
    local_page = local.get(reverse("clues:inspect", args=[clue.pk]), **EN).content.decode()
    assert "Protection" not in local_page and "clue-protection" not in local_page
    # Those it is routed to find the request from the clue's page.
    page = handler.get(reverse("clues:inspect", args=[clue.pk]), **EN).content.decode()
    item = clue.protection_requests.get()
    assert 'id="clue-protection"' in page and page_url(item) in page
    assert "waiting for an answer" in page


def test_the_queue_asks_a_constant_number_of_queries(staff):
    handler = as_user(staff["supervisor-hebei"])
    queue = reverse("clues:index")
    asked_clue()
    handler.get(queue)
    with CaptureQueriesContext(connection) as one:
        handler.get(queue)
    for _n in range(3):
        asked_clue()
    with CaptureQueriesContext(connection) as four:
        handler.get(queue)
    assert len(four) == len(one)


def test_the_dashboard_counts_open_and_overdue_requests(staff):
    asked_clue()
    asked_clue()
    handler = as_user(staff["supervisor-hebei"])
    html = handler.get("/admin/", **EN).content.decode()
    assert "Protection requests waiting for an answer" in html
    assert "Protection requests overdue" not in html
    ProtectionRequest.objects.filter(pk=ProtectionRequest.objects.first().pk).update(
        due_at=timezone.now() - timedelta(days=1)
    )
    html = handler.get("/admin/", **EN).content.decode()
    assert "Protection requests overdue" in html
    assert (
        "Protection requests"
        not in as_user(staff["supervisor-tangshan"]).get("/admin/", **EN).content.decode()
    )


def test_an_overdue_request_reminds_its_supervisors_once(staff):
    item = asked_clue().protection_requests.get()
    later = timezone.now() + timedelta(days=4)
    assert deadlines.check(now=later)["protection_reminders"] == 1
    assert deadlines.check(now=later)["protection_reminders"] == 0
    reminders = OutgoingMail.objects.filter(body__contains=page_url(item)).order_by("pk")
    assert reminders.count() == 2  # the request's own, then the reminder
    assert reminders.last().recipients == [staff["supervisor-hebei"].email]
    assert FEAR_TEXT not in reminders.last().body


# Never in an export or the units' API


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body[1:])))


def test_protection_is_in_no_export(admin_client, staff):
    clue = asked_clue(status=Clue.Status.TRANSFERRED)
    item = clue.protection_requests.get()
    admin_client.get(page_url(item))
    admin_client.post(reverse("protection_answer", args=[item.pk]), {"text": "答复"})
    assert clue.ledger.filter(action__startswith="protection_").count() == 3
    for url in (reverse("clues:index"), reverse("ledger:index")):
        for kind in ("csv", "xlsx"):
            response = admin_client.get(f"{url}?export={kind}", **EN)
            assert response.status_code == 200
            body = b"".join(response.streaming_content) if kind == "csv" else b""
            assert FEAR_TEXT.encode() not in body and b"rotection" not in body
    rows = read_csv(admin_client.get(reverse("ledger:index") + "?export=csv", **EN))
    assert rows and not any("protection" in cell.lower() for row in rows for cell in row)


def test_protection_is_absent_from_the_units_api(client, staff):
    clue = asked_clue(status=Clue.Status.TRANSFERRED, named=True)
    key = ApiKey.issue(unit=clue.unit, name="case system", scopes=[s.value for s in ApiKey.Scope])[
        1
    ]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for url in ("/api/units/v1/clues", f"/api/units/v1/clues/{clue.tracking_number}"):
        response = client.get(url, **auth)
        assert response.status_code == 200
        assert b"rotection" not in response.content
        assert FEAR_TEXT not in response.content.decode()


# Kept sealed, rotated with the keys, erased with the clue's content


def test_key_rotation_re_encrypts_protection_requests(staff):
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(REPORTER_ENCRYPTION_KEYS=[old]):
        item = asked_clue().protection_requests.get()
        protection.answer(item, staff["supervisor-hebei"], "答复")
    with override_settings(REPORTER_ENCRYPTION_KEYS=[new, old]):
        out = StringIO()
        call_command("rotate_reporter_key", stdout=out)
        assert "Re-encrypted 1 protection requests" in out.getvalue()
    with override_settings(REPORTER_ENCRYPTION_KEYS=[new]):
        item.refresh_from_db()
        assert protection.messages(item)[0]["text"] == FEAR_TEXT
        assert protection.answer_text(item) == "答复"


def test_the_retention_period_erases_what_was_told(staff, settings):
    from reporting.jobs import retention

    clue = asked_clue(status=Clue.Status.CLOSED)
    later = timezone.now() + timedelta(days=settings.CLUE_RETENTION_DAYS + 1)
    retention.erase(clue.pk, now=later)
    item = clue.protection_requests.get()
    assert item.content_erased_at == later
    assert protection.messages(item) == [] and protection.answer_text(item) == ""
