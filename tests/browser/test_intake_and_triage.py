"""Intake staff in a real browser: a call entered in the admin, its receipt read out and its
reply slip printed, the caller then following the clue online with the two codes; and the
demo's invalid reports triaged in bulk from the queue. axe checks each new staff screen."""

import io
import re

from pypdf import PdfReader

from .conftest import check_axe, staff_login
from .steps import open_status

CALL = "来电人反映：（测试）某物流园有一伙人强行包揽装卸，不让外来车辆自行卸货。"


def test_a_call_entered_by_intake_reaches_the_caller(new_context, viewport, server, shots):
    intake = staff_login(new_context(viewport), server, "intake-hebei")
    intake.goto("/admin/reporting/clues/")
    intake.get_by_role("link", name="录入线索").click()
    intake.wait_for_url(re.compile(r"/clues/enter/"))
    check_axe(intake, f"enter a clue ({viewport})")
    intake.locator('input[name="channel"][value="hotline"]').check()
    intake.locator('input[name="category"]').first.check()
    intake.locator('select[name="region"]').select_option("130203")
    intake.locator('textarea[name="what_happened"]').fill(CALL)
    shots(intake, "enter-a-call")
    intake.locator("form button[type=submit]").last.click()
    intake.wait_for_url(re.compile(r"/receipt/"))
    tracking_number = intake.locator("#tracking-number").inner_text().strip()
    access_key = intake.locator("#access-key").inner_text().replace("\u200b", "").strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", tracking_number)
    shots(intake, "receipt-to-read-out")
    check_axe(intake, f"staff receipt ({viewport})")

    with intake.expect_download() as download:
        intake.locator("#reply-slip").click()
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert tracking_number.replace(" ", "") in "".join(text.split())
    intake.locator("#receipt-done").click()
    intake.wait_for_url(re.compile(r"/inspect/\d+/"))
    assert CALL in intake.locator("main").inner_text()

    caller = new_context(viewport).new_page()
    open_status(caller, tracking_number, access_key)
    assert "已收到" in caller.locator("main").inner_text()
    shots(caller, "caller-follows-online")


def test_invalid_reports_triaged_in_bulk(new_context, viewport, server, shots):
    rows = server.query(
        "SELECT id, tracking_number FROM reporting_clue "
        # Still new: each viewport's run takes two others of the demo's eight.
        "WHERE submission_token LIKE 'demo-triage-%' AND status = 'submitted' "
        "ORDER BY id LIMIT 2"
    )
    assert len(rows) == 2, rows
    intake = staff_login(new_context(viewport), server, "intake-hebei")
    intake.goto("/admin/reporting/clues/?status=submitted")
    for pk, _number in rows:
        intake.locator(f"#select-clue-{pk}").check()
    intake.locator("#clue-bulk-form button[type=submit]").click()
    intake.wait_for_url(re.compile(r"/clues/bulk/"))
    assert "2" in intake.locator("#bulk-count").inner_text()
    check_axe(intake, f"bulk form ({viewport})")
    intake.locator('input[name="action"][value="reject"]').check()
    intake.locator('select[name="reason"]').select_option("out_of_scope")
    intake.locator("form.bulk-action-form button[type=submit]").click()
    intake.locator("#bulk-summary").wait_for()
    shots(intake, "bulk-confirm")
    intake.get_by_role("button", name="确认并执行").click()
    intake.locator("#bulk-job-counts").wait_for()
    shots(intake, "bulk-done")
    check_axe(intake, f"bulk result ({viewport})")
    statuses = {
        status
        for (status,) in server.query(
            "SELECT status FROM reporting_clue WHERE id IN (?, ?)", rows[0][0], rows[1][0]
        )
    }
    assert statuses == {"not_accepted"}
