"""The admin's queue, exports, downloads and dashboard for staff: only their scope, each
read recorded, and counts of what waits for each role."""

import csv
import io
import re

from django.urls import reverse

import openpyxl
import pytest

from reporting.factories import ClueFactory
from reporting.lifecycle import review as workflow
from reporting.models import Clue, Unit

from .helpers import act, as_user

pytestmark = pytest.mark.django_db


def test_evidence_download_is_an_attachment_and_recorded(staff, client, report_page, valid_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import samples

    _, hidden = report_page()
    data = {**valid_data(region="130203"), **hidden}
    data["evidence"] = [SimpleUploadedFile("p.png", samples.png_with_text())]
    client.post("/report/", data)
    clue = Clue.objects.get()
    item = clue.evidence.get()
    response = as_user(staff["intake-hebei"]).get(
        reverse("clues:evidence", args=[clue.pk, item.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # Reading the stream to its end closes the file.
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert clue.ledger.filter(action="evidence_downloaded", actor=staff["intake-hebei"]).exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_hold_only_the_scope_and_are_recorded(staff, file_format):
    mine, theirs = ClueFactory(region="130203"), ClueFactory(region="440106")
    response = as_user(staff["intake-hebei"]).get(
        reverse("clues:index") + f"?export={file_format}"
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    cells = {cell for row in rows[1:] for cell in row}
    assert len(rows) == 2  # the header and the one clue in scope
    assert mine.tracking_number in cells
    assert theirs.tracking_number not in cells
    assert mine.ledger.filter(action="exported", note=file_format).count() == 1
    assert not theirs.ledger.filter(action="exported").exists()


def test_a_tracking_number_as_printed_finds_the_clue(staff):
    from reporting.intake.receipts import format_tracking_number

    clue, other = ClueFactory(), ClueFactory()
    printed = format_tracking_number(clue.tracking_number)
    assert " " in printed
    html = as_user(staff["intake-hebei"]).get(reverse("clues:index"), {"q": printed})
    assert clue.tracking_number in html.content.decode()
    assert other.tracking_number not in html.content.decode()


def test_the_overdue_and_open_filters(staff):
    from django.utils import timezone

    late, on_time, closed = ClueFactory(), ClueFactory(), ClueFactory()
    Clue.objects.filter(pk=late.pk).update(overdue_since=timezone.now())
    Clue.objects.filter(pk=closed.pk).update(status=Clue.Status.CLOSED)
    client = as_user(staff["intake-hebei"])
    overdue = client.get(reverse("clues:index"), {"overdue": "true"}).content.decode()
    assert late.tracking_number in overdue and on_time.tracking_number not in overdue
    still_open = client.get(reverse("clues:index"), {"open": "true"}).content.decode()
    assert closed.tracking_number not in still_open and on_time.tracking_number in still_open


def test_csv_export_is_excel_ready_in_the_readers_language(staff):
    from wagtail.users.models import UserProfile

    clue = ClueFactory()
    user = staff["intake-hebei"]
    chinese = b"".join(
        as_user(user).get(reverse("clues:index") + "?export=csv").streaming_content
    ).decode("utf-8")
    assert chinese.startswith("\ufeff")
    assert "已提交" in chinese  # the status as a word, not "submitted"
    local = timezone_local(clue.created_at)
    assert local in chinese
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    english = b"".join(
        as_user(user).get(reverse("clues:index") + "?export=csv").streaming_content
    ).decode("utf-8")
    assert "Tracking number" in english.splitlines()[0]


def timezone_local(value):
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def test_the_dashboard_shows_each_role_what_waits_for_it(staff):
    clue = ClueFactory()
    intake_home = as_user(staff["intake-hebei"]).get("/admin/").content.decode()
    assert "等待您处理的线索" in intake_home
    assert "新线索，待初核" in intake_home
    tangshan = Unit.objects.get(code="r130200")
    act(staff["intake-hebei"], clue, "accept")
    act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01"},
    )
    act(staff["verifier-tangshan"], clue, "acknowledge")
    act(
        staff["verifier-tangshan"],
        clue,
        "conclude",
        {"finding": "substantiated", "outcome": "criminal_case", "text": "属实"},
    )
    signer_home = as_user(staff["signer1-tangshan"]).get("/admin/").content.decode()
    assert "等待您签署的结论" in signer_home
    act(staff["signer1-tangshan"], clue, "sign")
    signed_home = as_user(staff["signer1-tangshan"]).get("/admin/").content.decode()
    assert "等待您签署的结论" not in signed_home
    assert "等待您签署的结论" in as_user(staff["signer2-tangshan"]).get("/admin/").content.decode()


def test_the_dashboard_counts_clues_due_within_a_week_once(staff):
    from datetime import timedelta

    from django.utils import timezone

    clue = ClueFactory()
    Clue.objects.filter(pk=clue.pk).update(acknowledge_due_at=timezone.now() + timedelta(days=2))
    home = as_user(staff["intake-hebei"]).get("/admin/").content.decode()
    row = re.search(r"一周内到期</a></td><td>(\d+)</td>", home)
    assert row and row.group(1) == "1"


def test_the_dashboard_counts_only_open_clues_and_each_once(staff):
    from datetime import timedelta

    from django.utils import timezone

    from reporting.admin.dashboard import work_summary

    intake, supervisor = staff["intake-hebei"], staff["supervisor-hebei"]
    soon = timezone.now() + timedelta(days=3)
    sent_twice = ClueFactory()
    workflow.accept(sent_twice, intake)
    # Two unacknowledged transfers due this week (the second one up to the province): still
    # one clue.
    workflow.transfer(
        sent_twice, intake, to_unit=Unit.objects.get(code="r130200"), mode="normal", deadline=soon
    )
    workflow.transfer(
        sent_twice,
        supervisor,
        to_unit=Unit.objects.get(code="r130000"),
        mode="upgrade",
        deadline=soon,
    )
    late = ClueFactory()
    Clue.objects.filter(pk=late.pk).update(overdue_since=timezone.now())
    closed = ClueFactory()
    workflow.reject(closed, intake, reason="insufficient")
    Clue.objects.filter(pk=closed.pk).update(acknowledge_due_at=soon)
    counts, _to_sign = work_summary(intake)
    assert counts[Clue.Status.TRANSFERRED] == 1
    assert counts[Clue.Status.SUBMITTED] == 1  # the late one; the rejected clue waits for no one
    assert counts["overdue"] == 1
    assert counts["due_this_week"] == 1
    assert work_summary(staff["verifier-hebei"])[0][Clue.Status.TRANSFERRED] == 1
    assert work_summary(staff["verifier-tangshan"])[0][Clue.Status.TRANSFERRED] == 0
