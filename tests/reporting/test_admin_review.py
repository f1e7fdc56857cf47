"""The review loop through the admin's HTTP views, for every role, with refusals and scope."""

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

import pytest

from reporting.factories import ClueFactory
from reporting.intake.receipts import format_tracking_number
from reporting.jobs import follow_up
from reporting.lifecycle import ledger, reporter
from reporting.lifecycle import review as workflow
from reporting.models import Clue, Unit

from .helpers import act, as_user, page

pytestmark = pytest.mark.django_db


def test_full_loop_through_the_admin(staff):
    clue = ClueFactory()
    tangshan = Unit.objects.get(code="r130200")

    queue = as_user(staff["intake-hebei"]).get(reverse("clues:index"))
    assert format_tracking_number(clue.tracking_number) in queue.content.decode()

    act(staff["intake-hebei"], clue, "accept", {"is_key": "on"})
    response = act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01", "note": "请核查"},
    )
    # The message says what was done, in the reader's language.
    number = format_tracking_number(clue.tracking_number)
    assert (
        escape(
            _("Clue %(number)s transferred to %(unit)s.")
            % {"number": number, "unit": tangshan.label}
        )
        in response.content.decode()
    )
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
    number = format_tracking_number(clue.tracking_number)
    assert escape(_("Clue %(number)s accepted.") % {"number": number}) in response.content.decode()


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
