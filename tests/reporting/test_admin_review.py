"""The review loop through the admin's HTTP views, for every role, with refusals and scope."""

import csv
import io

from django.test import Client
from django.urls import reverse

import openpyxl
import pytest

from reporting.models import Clue, Unit

from .test_workflow import new_clue

pytestmark = pytest.mark.django_db


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def act(user, clue, action, data=None, follow=True, seen=None):
    """Post an action as from the clue's page as it stands now (or as it stood at `seen`)."""
    from reporting.workflow import current_conclusion

    url = reverse("clues:act", args=[clue.pk, action])
    data = dict(data or {})
    latest = clue.ledger.order_by("-pk").values_list("pk", flat=True).first()
    data.setdefault("seen", latest if seen is None else seen)
    conclusion = current_conclusion(Clue.objects.get(pk=clue.pk))
    if conclusion:
        data.setdefault("conclusion", conclusion.pk)
    payload = {f"{action}-{key}": value for key, value in data.items()}
    return as_user(user).post(url, payload, follow=follow)


def page(user, clue):
    return as_user(user).get(reverse("clues:inspect", args=[clue.pk]))


def test_full_loop_through_the_admin(staff):
    clue = new_clue()
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
    clue = new_clue()
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
    clue = new_clue("440106")  # Guangdong: outside every Hebei unit
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
    clue = new_clue()
    for path in (
        f"/admin/reporting/clues/edit/{clue.pk}/",
        f"/admin/reporting/clues/delete/{clue.pk}/",
        "/admin/reporting/clues/new/",
        f"/admin/reporting/clues/history/{clue.pk}/",
    ):
        assert admin_client.get(path).status_code == 404
    assert Clue.objects.filter(pk=clue.pk).exists()


def test_reveal_needs_a_reason_and_is_recorded(staff):
    clue = new_clue(
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
    mine, theirs = new_clue("130203"), new_clue("440106")
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
    clue = new_clue()
    seen = clue.ledger.order_by("-pk").first().pk
    act(staff["intake-hebei"], clue, "accept")  # someone else acted first
    response = act(staff["supervisor-hebei"], clue, "ask", {"body": "问题"}, seen=seen)
    assert "有人在您打开页面后处理了该线索" in response.content.decode()
    assert not clue.messages.exists()


def test_only_roles_offered_an_action_may_take_it(staff):
    clue = new_clue()
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
    clue, hidden = new_clue("130203"), new_clue("440106")
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
    clue = new_clue("130203")
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
    clue = new_clue()
    seen = clue.ledger.order_by("-pk").first().pk
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
