"""Staff enter clues taken by phone, letter, visit or referral, through the admin's views:
the public form's service and file checks, a receipt shown once to read out, a reply slip to
print, and the reporter following the clue up online like anyone else."""

import datetime
import io
import re

from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from wagtail.users.models import UserProfile

import pytest
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from portal.factories import SuperuserFactory, UserFactory
from reporting.admin import intake as admin_intake
from reporting.evidence import crypto
from reporting.intake import reply_slip
from reporting.jobs import follow_up
from reporting.lifecycle.roles import add_member
from reporting.models import Category, Clue, LedgerEntry, Membership, Unit
from tests.conftest import StaffClient

from . import samples
from .helpers import as_user, receipt_codes

pytestmark = pytest.mark.django_db

Channel = Clue.Channel


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def fresh_form(client):
    response = client.get(reverse("clues:enter"))
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', html).group(1)


def clue_data(token, **overrides):
    data = {
        "submission_token": token,
        "channel": Channel.HOTLINE,
        "referring_body": "",
        "received_on": timezone.localdate().isoformat(),
        "category": Category.objects.get(slug="routine-loans").pk,
        "region": "130203",
        "what_happened": "来电反映：有人以“砍头息”放贷，逾期后上门泼漆。",
        "when": "unknown",
        "where": "路北区某小区",
        "officials_shield": "unknown",
        "identity": "anonymous",
        "party-TOTAL_FORMS": "2",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "10",
        "party-0-name": "（测试）光头",
        "party-0-description": "",
        "party-0-role": "头目",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def enter(client, **overrides):
    return client.post(reverse("clues:enter"), clue_data(fresh_form(client), **overrides))


@pytest.fixture
def intake(staff):
    return as_user(staff["intake-hebei"])


CHANNEL_EXTRAS = {
    Channel.HOTLINE: {},
    Channel.LETTER: {"scanned_letter": lambda: upload("letter.jpg", samples.jpeg_with_gps())},
    Channel.VISIT: {},
    Channel.REFERRAL: {"referring_body": lambda: "唐山市纪委监委（测试）"},
}


@pytest.mark.parametrize("channel", list(CHANNEL_EXTRAS))
def test_each_staff_channel_end_to_end(client, staff, intake, channel):
    extras = {key: make() for key, make in CHANNEL_EXTRAS[channel].items()}
    response = enter(intake, channel=channel, **extras)
    assert response.status_code == 302, response.content.decode()[:3000]
    clue = Clue.objects.get()
    assert response["Location"] == reverse("clues:receipt", args=[clue.pk])
    assert clue.channel == channel
    assert clue.identity == Clue.Identity.ANONYMOUS and clue.reporter_sealed is None
    assert clue.region.code == "130203"
    assert [p.name for p in clue.parties.all()] == ["（测试）光头"]
    assert clue.acknowledge_due_at - clue.created_at == datetime.timedelta(days=7)
    submitted = clue.ledger.get(action=LedgerEntry.Action.SUBMITTED)
    assert submitted.actor == staff["intake-hebei"]
    assert submitted.note.startswith(channel)
    if channel == Channel.REFERRAL:
        assert clue.referring_body == "唐山市纪委监委（测试）"
    if channel == Channel.LETTER:
        scan = clue.evidence.get()
        assert scan.metadata_removed  # the public form's stripping: the GPS is gone

    receipt = intake.get(response["Location"])
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    number, key = receipt_codes(receipt.content.decode())
    assert number.replace(" ", "") == clue.tracking_number
    assert reverse("clues:reply_slip", args=[clue.pk]) in receipt.content.decode()

    # Shown once: a second look says so, on the clue's page.
    again = intake.get(response["Location"])
    assert again["Location"] == reverse("clues:inspect", args=[clue.pk])
    assert any("shown-once" in m.tags for m in get_messages(again.wsgi_request))

    # The reporter follows it up online, with the codes read out to them.
    status = client.post(
        "/report/status/", {"tracking_number": number, "access_key": key}, follow=True
    )
    assert status.status_code == 200
    assert "已收到" in status.content.decode()

    # What follows a web clue follows this one: queued with it, then in the worker the audit
    # log, repeat reports and intake told (the task's body, run here as the worker runs it).
    queued = DBTaskResult.objects.get(task_path="reporting.jobs.follow_up.follow_new_clue_task")
    assert queued.args_kwargs["args"] == [clue.pk]
    assert follow_up.follow_new_clue(clue.pk)
    clue.refresh_from_db()
    assert not clue.follow_up_pending
    told = {address for message in mail.outbox for address in message.to}
    assert staff["intake-hebei"].email in told

    # The clue's page names the channel and who entered it.
    page = intake.get(reverse("clues:inspect", args=[clue.pk])).content.decode()
    assert 'id="clue-entered-by"' in page
    assert "受理" in page  # the demo intake reviewer's name


def test_a_named_caller_is_sealed_like_a_web_reporter(staff, intake):
    response = enter(
        intake,
        identity="named",
        reporter_name="（测试）王某",
        reporter_phone="138 0013 8000",
        reporter_id_number="11010519491231002X",
        reporter_contact_time="晚上",
    )
    assert response.status_code == 302
    clue = Clue.objects.get()
    assert clue.identity == Clue.Identity.NAMED
    assert crypto.open_sealed(clue.reporter_sealed) == {
        "name": "（测试）王某",
        "phone": "138 0013 8000",
        "id_number": "11010519491231002X",
        "contact_time": "晚上",
    }
    assert b"138 0013" not in bytes(clue.reporter_sealed)


def test_a_named_caller_needs_a_name_and_phone(intake):
    response = enter(intake, identity="named", reporter_id_number="123")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert "来电反映" in html  # nothing typed is lost
    assert not Clue.objects.exists()


def test_a_caller_who_fears_retaliation_opens_a_sealed_routed_request(staff, intake):
    words = "（测试）来电人说有人在他店门口放话。"
    response = enter(intake, protection="fear", protection_details=words)
    assert response.status_code == 302
    clue = Clue.objects.get()
    item = clue.protection_requests.get()
    assert item.kind == "fear" and item.source == "report"
    assert words.encode() not in bytes(item.messages_sealed)
    assert clue.ledger.filter(action="protection_requested").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"protection": "fear"}, "protection_details"),
        ({"protection_details": "（测试）有人威胁"}, "protection"),
        ({"protection": "fear", "protection_details": "威胁\x00"}, "protection_details"),
        ({"protection": "fear", "protection_details": "长" * 5001}, "protection_details"),
    ],
)
def test_half_a_protection_request_is_refused_and_nothing_is_lost(intake, fields, field):
    response = enter(intake, **fields)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "来电反映" in response.content.decode()
    assert not Clue.objects.exists()


def test_the_reply_slip_prints_the_receipt_in_chinese_with_embedded_fonts(staff, intake):
    response = enter(intake)
    clue = Clue.objects.get()
    receipt = intake.get(response["Location"])
    number, _key = receipt_codes(receipt.content.decode())

    slip = intake.get(reverse("clues:reply_slip", args=[clue.pk]))
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    assert "no-store" in slip["Cache-Control"]
    reader = PdfReader(io.BytesIO(slip.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    compact = "".join(text.split())
    assert number.replace(" ", "") in compact
    assert "https://portal.example.test/report/status/" in compact
    assert "12337" in compact
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()  # embedded, not left to the viewer
    entry = clue.ledger.get(action=LedgerEntry.Action.REPLY_SLIP)
    assert entry.actor == staff["intake-hebei"]

    # Printed again while held: another entry each time.
    assert intake.get(reverse("clues:reply_slip", args=[clue.pk])).status_code == 200
    assert clue.ledger.filter(action=LedgerEntry.Action.REPLY_SLIP).count() == 2

    # While held, the clue's page offers the slip too; not once "Done".
    clue_page = reverse("clues:inspect", args=[clue.pk])
    assert 'id="clue-reply-slip"' in intake.get(clue_page).content.decode()

    # "Done": the codes are forgotten, and no slip can be printed.
    done = intake.post(reverse("clues:receipt_done", args=[clue.pk]))
    assert done["Location"] == reverse("clues:inspect", args=[clue.pk])
    refused = intake.get(reverse("clues:reply_slip", args=[clue.pk]))
    assert refused.status_code == 302
    assert refused["Location"] == reverse("clues:inspect", args=[clue.pk])
    assert any("shown-once" in m.tags for m in get_messages(refused.wsgi_request))
    assert clue.ledger.filter(action=LedgerEntry.Action.REPLY_SLIP).count() == 2
    assert 'id="clue-reply-slip"' not in intake.get(clue_page).content.decode()


def test_the_reply_slip_is_in_chinese_whatever_the_admin_speaks(site_tree):
    received = timezone.make_aware(datetime.datetime(2026, 3, 9, 10, 30))
    with translation.override("en"):
        pdf = reply_slip.render(
            tracking_number="123456789012",
            access_key="ABCDEFGHJKMNPQRSTVWX",
            received_at=received,
            operator="（测试）某省扫黑办",
            hotline="010-1234 5678",
        )
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "2026年3月9日" in text  # the date as Chinese writes it
    assert "ABCD-EFGH-JKMN-PQRS-TVWX" in text  # grouped as the receipt groups it
    assert "（测试）某省扫黑办" in text
    assert "010-12345678" in text


def test_no_slip_from_another_session_or_after_the_hold(staff, intake):
    response = enter(intake)
    clue = Clue.objects.get()
    intake.get(response["Location"])
    slip_url = reverse("clues:reply_slip", args=[clue.pk])

    other_session = as_user(staff["intake-hebei"])
    refused = other_session.get(slip_url)
    assert refused.status_code == 302
    assert refused["Content-Type"] != "application/pdf"

    session = intake.session
    held = session[admin_intake.HELD_KEY]
    held[str(clue.pk)]["until"] = 0  # the half hour is over
    session[admin_intake.HELD_KEY] = held
    session.save()
    expired = intake.get(slip_url)
    assert expired.status_code == 302
    assert any("shown-once" in m.tags for m in get_messages(expired.wsgi_request))
    assert not clue.ledger.filter(action=LedgerEntry.Action.REPLY_SLIP).exists()


def test_a_double_click_stores_one_clue(intake):
    data = clue_data(fresh_form(intake))
    first = intake.post(reverse("clues:enter"), data)
    second = intake.post(reverse("clues:enter"), data)
    assert first.status_code == second.status_code == 302
    clue = Clue.objects.get()
    assert second["Location"] == reverse("clues:receipt", args=[clue.pk])
    assert intake.get(second["Location"]).status_code == 200  # its receipt, once


# Permission and scope.


def denied(response):
    """Wagtail's answer to a refused admin view: back to the dashboard, told so."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_only_intake_and_superusers_may_enter_clues(staff):
    for name in ("verifier-hebei", "signer1-tangshan", "supervisor-hebei"):
        assert denied(as_user(staff[name]).get(reverse("clues:enter")))
        assert denied(as_user(staff[name]).post(reverse("clues:enter"), clue_data("x" * 32)))
    assert not Clue.objects.exists()
    superuser = as_user(SuperuserFactory())
    assert enter(superuser, region="").status_code == 302
    assert Clue.objects.get().region is None


def test_the_queue_offers_entry_to_intake_only(staff):
    queue = reverse("clues:index")
    assert reverse("clues:enter") in as_user(staff["intake-hebei"]).get(queue).content.decode()
    assert (
        reverse("clues:enter")
        not in as_user(staff["verifier-tangshan"]).get(queue).content.decode()
    )


def test_provincial_intake_enters_only_clues_of_its_province(intake):
    page = intake.get(reverse("clues:enter")).content.decode()
    assert 'value="130203"' in page and 'value="440106"' not in page
    outside = enter(intake, region="440106")
    assert outside.status_code == 400
    unknown = enter(intake, region="")
    assert unknown.status_code == 400
    assert not Clue.objects.exists()


def test_national_intake_may_enter_a_clue_of_unknown_region(staff):
    person = UserFactory(username="intake-national")
    add_member(person, Unit.objects.get(code="national"), Membership.Role.INTAKE)
    client = as_user(person)
    assert enter(client, region="").status_code == 302
    assert enter(client, region="440106").status_code == 302
    assert Clue.objects.count() == 2


# Bad inputs.


def test_the_date_received_is_not_in_the_future_nor_a_year_back(staff):
    person = staff["intake-hebei"]
    profile = UserProfile.get_for_user(person)
    profile.preferred_language = "en"
    profile.save()
    client = as_user(person)
    today = timezone.localdate()
    tomorrow = enter(client, received_on=(today + datetime.timedelta(days=1)).isoformat())
    assert tomorrow.status_code == 400
    assert "The date received cannot be in the future." in tomorrow.content.decode()
    long_ago = enter(client, received_on=(today - datetime.timedelta(days=400)).isoformat())
    assert long_ago.status_code == 400
    assert "check the year" in long_ago.content.decode()
    assert not Clue.objects.exists()


def test_an_earlier_day_counts_from_its_start(intake):
    day = timezone.localdate() - datetime.timedelta(days=3)
    assert enter(intake, received_on=day.isoformat()).status_code == 302
    clue = Clue.objects.get()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    assert clue.created_at == start
    assert clue.acknowledge_due_at == start + datetime.timedelta(days=7)
    assert clue.ledger.get(action=LedgerEntry.Action.SUBMITTED).at == start
    assert "entered" in clue.ledger.get(action=LedgerEntry.Action.SUBMITTED).note


def test_a_referral_names_its_body_and_only_a_referral(intake):
    assert enter(intake, channel=Channel.REFERRAL, referring_body=" ").status_code == 400
    assert enter(intake, channel=Channel.HOTLINE, referring_body="某检察院").status_code == 400
    assert not Clue.objects.exists()


def test_a_letter_needs_its_scan_and_a_kept_scan_counts(intake):
    refused = enter(intake, channel=Channel.LETTER)
    assert refused.status_code == 400
    assert not Clue.objects.exists()

    # A scan sent with an attempt refused for something else is kept for the next one.
    token = fresh_form(intake)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = clue_data(token, channel=Channel.LETTER, received_on=future)
    first = intake.post(
        reverse("clues:enter"),
        {**data, "scanned_letter": upload("scan.png", samples.png_with_text())},
    )
    assert first.status_code == 400
    html = first.content.decode()
    letter_id = re.search(r'name="letter_staged" value="([0-9a-f]{32})"', html).group(1)
    assert 'id="staged-files"' in html
    data.update(received_on=timezone.localdate().isoformat(), letter_staged=letter_id)
    second = intake.post(reverse("clues:enter"), data)
    assert second.status_code == 302
    assert Clue.objects.get().evidence.count() == 1


def test_bad_files_are_refused_by_the_public_checks(intake):
    bad = enter(
        intake, channel=Channel.LETTER, scanned_letter=upload("scan.pdf", samples.ELF_EXECUTABLE)
    )
    assert bad.status_code == 400
    assert "scan.pdf" in bad.content.decode()
    other = enter(intake, evidence=[upload("tool.exe", samples.ELF_EXECUTABLE)])
    assert other.status_code == 400
    assert "tool.exe" in other.content.decode()
    assert not Clue.objects.exists()


@override_settings(EVIDENCE_MAX_FILE_BYTES=50_000)
def test_an_oversized_file_is_named(intake):
    response = enter(intake, evidence=[upload("big.wav", samples.wav(seconds=5))])
    assert response.status_code == 400
    assert "big.wav" in response.content.decode()
    assert not Clue.objects.exists()


def test_the_form_is_checked_for_csrf_after_its_files_are_taken_in(staff):
    """The view reads its own files (taking_evidence), then checks the CSRF token."""
    client = StaffClient(enforce_csrf_checks=True)
    client.force_login(staff["intake-hebei"])
    page = client.get(reverse("clues:enter")).content.decode()
    assert 'value="' + timezone.localdate().isoformat() + '"' in page  # as a date input needs
    token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    scan = {"scanned_letter": upload("scan.png", samples.png_with_text())}
    data = clue_data(token, channel=Channel.LETTER, **scan)
    assert client.post(reverse("clues:enter"), data).status_code == 403
    assert not Clue.objects.exists()
    scan = {"scanned_letter": upload("scan.png", samples.png_with_text())}
    data = clue_data(token, channel=Channel.LETTER, csrfmiddlewaretoken=csrf, **scan)
    assert client.post(reverse("clues:enter"), data).status_code == 302
    assert Clue.objects.get().evidence.count() == 1


def test_another_person_is_a_round_trip_that_keeps_everything(intake):
    """A call naming more people than the form shows: "add another person" brings one more
    person's boxes, keeps what was typed and the files already checked, shows no errors and
    enters nothing; the clue is then entered with all three people."""
    client = intake
    token = fresh_form(client)
    data = clue_data(token, add_party="1")
    data["party-1-name"] = "（测试）瘦子"
    data["evidence"] = upload("photo.jpg", samples.jpeg_with_gps())
    response = client.post(reverse("clues:enter"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="party-TOTAL_FORMS" value="3"' in html
    assert 'name="party-2-name"' in html
    assert "（测试）瘦子" in html and "砍头息" in html
    assert 'id="form-errors"' not in html
    assert 'id="staged-files"' in html  # the photo, checked and kept for the next send
    assert not Clue.objects.filter(submission_token=token).exists()

    data = clue_data(token, **{"party-TOTAL_FORMS": "3", "party-2-name": "（测试）胖子"})
    data["party-1-name"] = "（测试）瘦子"
    client.post(reverse("clues:enter"), data)
    clue = Clue.objects.get(submission_token=token)
    assert sorted(clue.parties.values_list("name", flat=True)) == sorted(
        ["（测试）光头", "（测试）瘦子", "（测试）胖子"]
    )
    assert clue.evidence.count() == 1
