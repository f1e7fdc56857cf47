"""The review loop through the admin's HTTP views, for every role, with refusals and scope."""

import csv
import io
import re

from django.urls import reverse

import openpyxl
import pytest

from reporting.factories import ClueFactory
from reporting.jobs import follow_up
from reporting.lifecycle import ledger, reporter
from reporting.lifecycle import review as workflow
from reporting.models import Clue, Unit
from tests.conftest import StaffClient

pytestmark = pytest.mark.django_db


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


def test_full_loop_through_the_admin(staff):
    clue = ClueFactory()
    tangshan = Unit.objects.get(code="r130200")

    queue = as_user(staff["intake-hebei"]).get(reverse("clues:index"))
    assert clue.tracking_number in queue.content.decode()

    act(staff["intake-hebei"], clue, "accept", {"is_key": "on"})
    response = act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01", "note": "请核查"},
    )
    assert "已完成。" in response.content.decode()
    act(staff["verifier-tangshan"], clue, "acknowledge")
    act(staff["verifier-tangshan"], clue, "progress", {"note": "约谈了知情人"})
    act(
        staff["verifier-tangshan"],
        clue,
        "conclude",
        {"finding": "substantiated", "outcome": "criminal_case", "text": "查证属实"},
    )
    for signer in ("signer1-tangshan", "signer2-tangshan", "signer3-tangshan"):
        act(staff[signer], clue, "sign")
    act(staff["verifier-tangshan"], clue, "feedback", {"text": "已依法立案侦查，感谢您的举报。"})
    act(staff["supervisor-hebei"], clue, "close")
    clue.refresh_from_db()
    assert clue.status == Clue.Status.CLOSED
    html = page(staff["supervisor-hebei"], clue).content.decode()
    assert "已有 3 个签名（共需 3 个）" in html
    assert "结论已生效" in html


def test_refused_actions_are_explained_and_change_nothing(staff):
    clue = ClueFactory()
    response = act(staff["verifier-tangshan"], clue, "accept")
    assert response.status_code == 404  # not even visible to a verifier before transfer
    response = act(staff["intake-hebei"], clue, "acknowledge")
    assert "“已提交”状态时，不能“签收”" in response.content.decode()
    response = act(staff["supervisor-hebei"], clue, "accept")
    assert "您对该线索的角色不允许此操作。" in response.content.decode()
    clue.refresh_from_db()
    assert clue.status == Clue.Status.SUBMITTED
    early = act(staff["intake-hebei"], clue, "transfer", {"to_unit": "x", "mode": "nope"})
    assert "“已提交”状态时，不能“转办至单位”" in early.content.decode()
    act(staff["intake-hebei"], clue, "accept")
    bad = act(staff["intake-hebei"], clue, "transfer", {"to_unit": "x", "mode": "nope"})
    assert bad.status_code == 200
    assert "选择一个有效的选项" in bad.content.decode()
    clue.refresh_from_db()
    assert clue.status == Clue.Status.SCREENED


def test_out_of_scope_staff_get_404_for_clue_evidence_and_reporter(staff):
    clue = ClueFactory(region="440106")  # Guangdong: outside every Hebei unit
    outsider = staff["supervisor-hebei"]
    client = as_user(outsider)
    assert client.get(reverse("clues:inspect", args=[clue.pk])).status_code == 404
    assert client.get(reverse("clues:evidence", args=[clue.pk, 1])).status_code == 404
    assert (
        client.post(
            reverse("clues:inspect", args=[clue.pk]), {"reveal-reason": "想看看"}
        ).status_code
        == 404
    )
    assert client.post(reverse("clues:act", args=[clue.pk, "accept"])).status_code == 404
    assert clue.tracking_number not in client.get(reverse("clues:index")).content.decode()


def test_generic_edit_and_delete_views_do_not_exist(staff, admin_client):
    clue = ClueFactory()
    for path in (
        f"/admin/reporting/clues/edit/{clue.pk}/",
        f"/admin/reporting/clues/delete/{clue.pk}/",
        "/admin/reporting/clues/new/",
        f"/admin/reporting/clues/history/{clue.pk}/",
    ):
        assert admin_client.get(path).status_code == 404
    assert Clue.objects.filter(pk=clue.pk).exists()


def test_reveal_needs_a_reason_and_is_recorded(staff):
    clue = ClueFactory(
        reporter={"name": "赵六", "phone": "13911112222", "id_number": "", "contact_time": ""}
    )
    client = as_user(staff["intake-hebei"])
    url = reverse("clues:inspect", args=[clue.pk])
    assert "赵六" not in client.get(url).content.decode()
    empty = client.post(url, {"reveal-reason": ""}, follow=True)
    assert "赵六" not in empty.content.decode()
    shown = client.post(url, {"reveal-reason": "需电话核实具体地址"})
    assert "赵六" in shown.content.decode() and "13911112222" in shown.content.decode()
    assert clue.ledger.filter(action="reporter_revealed").count() == 1
    assert "赵六" not in client.get(url).content.decode()  # shown once, not kept
    verifier = as_user(staff["verifier-tangshan"])
    assert verifier.post(url, {"reveal-reason": "需要"}).status_code == 404


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


def test_acting_on_an_out_of_date_page_is_refused(staff):
    clue = ClueFactory()
    seen = workflow.last_decision(clue)
    act(staff["intake-hebei"], clue, "accept")  # someone else acted first
    response = act(staff["supervisor-hebei"], clue, "ask", {"body": "问题"}, seen=seen)
    assert "有人在您打开页面后处理了该线索" in response.content.decode()
    assert not clue.messages.exists()


def test_only_roles_offered_an_action_may_take_it(staff):
    clue = ClueFactory()
    act(staff["intake-hebei"], clue, "accept")
    tangshan = Unit.objects.get(code="r130200")
    act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01"},
    )
    response = act(staff["signer1-tangshan"], clue, "ask", {"body": "签字领导提问"})
    assert "您对该线索的角色不允许此操作" in response.content.decode()
    assert not clue.messages.exists()


def test_a_duplicate_must_be_a_clue_the_reviewer_can_see(staff):
    clue, hidden = ClueFactory(region="130203"), ClueFactory(region="440106")
    response = act(
        staff["intake-hebei"],
        clue,
        "reject",
        {"reason": "duplicate", "duplicate_of": hidden.tracking_number},
    )
    assert "没有这个跟踪编号的线索" in response.content.decode()
    clue.refresh_from_db()
    assert clue.status == Clue.Status.SUBMITTED


def test_site_history_shows_staff_nothing_of_clues(staff):

    clue = ClueFactory(region="130203")
    follow_up.follow_new_clue(clue.pk)  # the worker's part: the report's own entry
    act(staff["intake-hebei"], clue, "accept")
    outsider = as_user(staff["verifier-tangshan"])
    response = outsider.get("/admin/reports/site-history/?export=csv")
    assert response.status_code == 200  # the page opens; it just holds nothing of clues
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert clue.tracking_number.encode() not in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_acting_at_once_cannot_both_win(staff):
    """Both act from the same page at the same moment; the row lock and the page's ledger
    mark let exactly one through. Asking the reporter is allowed to both in any state, so
    only the concurrency check can stop the second."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises writers anyway")
    clue = ClueFactory()
    seen = workflow.last_decision(clue)
    barrier = threading.Barrier(2)

    def ask(username):
        try:
            barrier.wait()
            act(staff[username], clue, "ask", {"body": f"{username} 的问题"}, seen=seen)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=ask, args=(name,)) for name in ("intake-hebei", "supervisor-hebei")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clue.messages.count() == 1
    assert clue.ledger.filter(action="staff_asked").count() == 1


def test_reading_exporting_and_downloading_do_not_make_a_page_stale(staff):
    """Only decisions make a page out of date: a colleague exporting the queue must not cost
    a verifier the note they were typing."""
    clue = ClueFactory()
    seen = workflow.last_decision(clue)
    as_user(staff["supervisor-hebei"]).get(reverse("clues:index") + "?export=csv")
    ledger.record(clue, "evidence_downloaded", actor=staff["supervisor-hebei"])
    reporter.reporter_reply(clue, "补充：他们开一辆白色面包车。")
    response = act(staff["intake-hebei"], clue, "accept", seen=seen)
    assert "已完成。" in response.content.decode()


def test_a_refused_action_keeps_what_was_typed(staff):
    clue = ClueFactory()
    seen = workflow.last_decision(clue)
    act(staff["intake-hebei"], clue, "accept")
    text = "请问您看到的车牌号是多少？这是一段很长的问题。"
    response = act(staff["supervisor-hebei"], clue, "ask", {"body": text}, seen=seen)
    html = response.content.decode()
    assert "有人在您打开页面后处理了该线索" in html
    assert text in html  # back in the form, to send again after reading the page
    assert text not in page(staff["supervisor-hebei"], clue).content.decode()  # only once


def test_only_actions_that_can_succeed_are_offered_to_signatories(staff):
    clue = ClueFactory()
    tangshan = Unit.objects.get(code="r130200")
    act(staff["intake-hebei"], clue, "accept")
    act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01"},
    )
    act(staff["verifier-tangshan"], clue, "acknowledge")
    sign_url = reverse("clues:act", args=[clue.pk, "sign"])
    conclude_url = reverse("clues:act", args=[clue.pk, "conclude"])
    assert sign_url not in page(staff["signer1-tangshan"], clue).content.decode()  # nothing yet
    act(
        staff["verifier-tangshan"],
        clue,
        "conclude",
        {"finding": "unsubstantiated", "outcome": "no_action", "text": "查无实据"},
    )
    assert sign_url in page(staff["signer1-tangshan"], clue).content.decode()
    act(staff["signer1-tangshan"], clue, "sign")
    signed = page(staff["signer1-tangshan"], clue).content.decode()
    assert sign_url not in signed
    assert "尚未签署：" in signed and "唐签二" in signed and "唐签三" in signed
    assert conclude_url not in page(staff["verifier-tangshan"], clue).content.decode()


def test_the_feedback_given_is_on_the_clue_page(staff):
    clue = ClueFactory()
    clue.status, clue.feedback = Clue.Status.FEEDBACK, "经核查，已依法处理。"
    clue.save()
    assert "经核查，已依法处理。" in page(staff["supervisor-hebei"], clue).content.decode()


def test_the_transfer_deadline_is_filled_in_for_a_date_input(staff):
    clue = ClueFactory()
    act(staff["intake-hebei"], clue, "accept")
    html = page(staff["intake-hebei"], clue).content.decode()
    assert re.search(r'type="date" name="transfer-deadline" value="\d{4}-\d{2}-\d{2}"', html)


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
