"""The closed loop of a clue's review, through the service layer, for every role."""

from datetime import timedelta

from django.utils import timezone

import pytest

from portal.factories import UserFactory
from reporting.factories import ClueFactory, advance
from reporting.lifecycle import reporter
from reporting.lifecycle import review as workflow
from reporting.lifecycle.review import TransitionError
from reporting.lifecycle.roles import add_member
from reporting.lifecycle.scope import visible_clues
from reporting.models import Clue, Transfer, Unit

pytestmark = pytest.mark.django_db
Mode, S = Transfer.Mode, Clue.Status


def new_clue(region_code="130203", reporter=None):
    """A new clue in this region (None: of unknown region), as the tests of the review use."""
    region = region_code if region_code else None
    return ClueFactory(region=region, reporter=reporter, what_happened="测试线索")


def soon(days=30):
    return timezone.now() + timedelta(days=days)


def unit(code):
    return Unit.objects.get(code=code)


def test_the_whole_loop_to_feedback_and_close(staff):
    clue = new_clue()
    workflow.accept(clue, staff["intake-hebei"], is_key=True)
    workflow.transfer(
        clue, staff["intake-hebei"], to_unit=unit("r130200"), mode=Mode.NORMAL, deadline=soon()
    )
    workflow.acknowledge(clue, staff["verifier-tangshan"])
    workflow.add_progress(clue, staff["verifier-tangshan"], note="走访了市场商户。")
    workflow.draft_conclusion(
        clue,
        staff["verifier-tangshan"],
        finding="substantiated",
        outcome="criminal_case",
        text="查证属实，已立案侦查。",
    )
    for signer in ("signer1-tangshan", "signer2-tangshan"):
        workflow.sign(clue, staff[signer])
        clue.refresh_from_db()
        assert clue.status == S.VERIFYING  # does not stand before the third signature
    workflow.sign(clue, staff["signer3-tangshan"])
    clue.refresh_from_db()
    assert clue.status == S.CONCLUDED
    workflow.give_feedback(
        clue, staff["verifier-tangshan"], text="经核查，举报情况属实，已依法处理。"
    )
    workflow.close(clue, staff["intake-hebei"])
    clue.refresh_from_db()
    assert clue.status == S.CLOSED
    actions = list(clue.ledger.values_list("action", flat=True))
    assert actions == [
        "submitted",
        "accepted",
        "transferred",
        "acknowledged",
        "progress",
        "conclusion_drafted",
        "signed",
        "signed",
        "signed",
        "concluded",
        "feedback",
        "closed",
    ]
    assert clue.public_status()["title"] == "已答复"
    timeline = [e["text"] for e in reporter.reporter_timeline(clue)]
    assert all("唐山" not in text for text in timeline)


def test_refused_transitions_say_why(staff):
    clue = new_clue()
    with pytest.raises(TransitionError, match="时，不能"):
        workflow.acknowledge(clue, staff["verifier-tangshan"])
    with pytest.raises(TransitionError, match="只有负责该线索的"):
        workflow.accept(clue, staff["verifier-tangshan"])
    workflow.accept(clue, staff["intake-hebei"])
    with pytest.raises(TransitionError, match="期限必须晚于"):
        workflow.transfer(
            clue,
            staff["intake-hebei"],
            to_unit=unit("r130200"),
            mode=Mode.NORMAL,
            deadline=timezone.now() - timedelta(days=1),
        )
    with pytest.raises(TransitionError, match="下级单位"):
        workflow.transfer(
            clue, staff["intake-hebei"], to_unit=unit("r440100"), mode=Mode.NORMAL, deadline=soon()
        )
    workflow.transfer(
        clue, staff["intake-hebei"], to_unit=unit("r130200"), mode=Mode.NORMAL, deadline=soon()
    )
    workflow.acknowledge(clue, staff["verifier-tangshan"])
    workflow.add_progress(clue, staff["verifier-tangshan"], note="调取了监控。")
    with pytest.raises(TransitionError, match="还没有可签署的结论"):
        workflow.sign(clue, staff["signer1-tangshan"])
    workflow.draft_conclusion(
        clue, staff["verifier-tangshan"], finding="partly", outcome="no_action", text="部分属实"
    )
    workflow.sign(clue, staff["signer1-tangshan"])
    with pytest.raises(TransitionError, match="已经签署过"):
        workflow.sign(clue, staff["signer1-tangshan"])
    with pytest.raises(TransitionError, match="只有负责该线索的"):
        workflow.sign(clue, staff["signer1-hebei"])  # a signatory of another unit
    with pytest.raises(TransitionError, match="已有签名"):
        workflow.draft_conclusion(
            clue,
            staff["verifier-tangshan"],
            finding="substantiated",
            outcome="no_action",
            text="改写",
        )


def test_upgrade_goes_up_and_off_site_goes_elsewhere(staff):
    clue = new_clue()
    workflow.accept(clue, staff["intake-hebei"])
    workflow.transfer(
        clue, staff["intake-hebei"], to_unit=unit("r130203"), mode=Mode.NORMAL, deadline=soon()
    )
    with pytest.raises(TransitionError, match="上级单位"):
        workflow.transfer(
            clue,
            staff["supervisor-hebei"],
            to_unit=unit("r440000"),
            mode=Mode.UPGRADE,
            deadline=soon(),
        )
    workflow.transfer(
        clue,
        staff["supervisor-hebei"],
        to_unit=unit("r130200"),
        mode=Mode.UPGRADE,
        deadline=soon(),
    )
    with pytest.raises(TransitionError, match="城市以外"):
        workflow.transfer(
            clue,
            staff["supervisor-hebei"],
            to_unit=unit("r130281"),
            mode=Mode.OFF_SITE,
            deadline=soon(),
        )
    workflow.transfer(
        clue,
        staff["supervisor-hebei"],
        to_unit=unit("r440300"),
        mode=Mode.OFF_SITE,
        deadline=soon(),
    )
    clue.refresh_from_db()
    assert clue.unit.code == "r440300"
    # The reporter is never told which unit verifies, least of all off-site.
    texts = " ".join(e["text"] for e in reporter.reporter_timeline(clue))
    assert "深圳" not in texts and "Shenzhen" not in texts


def test_scope_is_enforced_in_the_query(staff):
    tangshan_clue = new_clue("130203")
    guangdong_clue = new_clue("440106")
    unknown_region = new_clue(None)
    assert set(visible_clues(staff["intake-hebei"])) == {tangshan_clue}
    assert set(visible_clues(staff["verifier-tangshan"])) == set()
    advance(tangshan_clue, S.TRANSFERRED, intake=staff["intake-hebei"], to_unit=unit("r130200"))
    assert set(visible_clues(staff["verifier-tangshan"])) == {tangshan_clue}
    assert set(visible_clues(staff["supervisor-hebei"])) == {tangshan_clue}
    assert guangdong_clue not in visible_clues(staff["supervisor-tangshan"])
    assert unknown_region not in visible_clues(staff["intake-hebei"])


def test_the_national_office_sees_every_clue(staff):
    national = unit("national")
    intake, supervisor = UserFactory(username="intake-nat"), UserFactory(username="sup-nat")
    add_member(intake, national, "intake")
    add_member(supervisor, national, "supervisor")
    new = new_clue("440106")
    unknown_region = new_clue(None)
    transferred = new_clue("130203")
    advance(transferred, S.TRANSFERRED, intake=staff["intake-hebei"], to_unit=unit("r130200"))
    everything = {new, unknown_region, transferred}
    assert set(visible_clues(intake)) == everything
    assert set(visible_clues(supervisor)) == everything
    assert set(visible_clues(staff["intake-hebei"])) == {transferred}


def test_not_accepted_duplicate_and_reopen(staff):
    first, second = new_clue(), new_clue()
    with pytest.raises(TransitionError, match="请填写与之重复的线索"):
        workflow.reject(second, staff["intake-hebei"], reason="duplicate")
    workflow.reject(second, staff["intake-hebei"], reason="duplicate", duplicate_of=first)
    second.refresh_from_db()
    assert second.status == S.NOT_ACCEPTED and second.duplicate_of == first
    assert second.public_status()["title"] == "不予受理"
    with pytest.raises(TransitionError, match="请说明重新核查的理由"):
        workflow.reopen(second, staff["intake-hebei"], reason=" ")
    workflow.reopen(second, staff["supervisor-hebei"], reason="举报人补充了新证据")
    second.refresh_from_db()
    assert second.status == S.SCREENED


def test_revealing_a_named_reporter_needs_permission_reason_and_is_recorded(staff):
    clue = new_clue(
        reporter={"name": "王五", "phone": "13800000000", "id_number": "", "contact_time": ""}
    )
    with pytest.raises(TransitionError, match="无权查看"):
        workflow.reveal_reporter(clue, staff["verifier-tangshan"], reason="需要核实")
    with pytest.raises(TransitionError, match="请说明需要查看"):
        workflow.reveal_reporter(clue, staff["intake-hebei"], reason="")
    details = workflow.reveal_reporter(clue, staff["intake-hebei"], reason="需要电话核实细节")
    assert details["name"] == "王五"
    entry = clue.ledger.get(action="reporter_revealed")
    assert entry.actor == staff["intake-hebei"] and entry.note == "需要电话核实细节"
