"""Staff in the admin, in a real browser: sign-in with the second factor, screening, transfer,
the unit's acknowledgement and conclusion, three signatures, feedback the reporter then reads;
an editor publishing a hero story the public then sees."""

import re
from datetime import date, timedelta

from .conftest import VIEWPORTS, check_axe, staff_login
from .steps import open_status, report

FEEDBACK = "经核查，已依法立案侦查。感谢您的举报。"


def clue_page(page, server, tracking_number):
    (pk,) = server.query(
        "SELECT id FROM reporting_clue WHERE tracking_number = ?",
        tracking_number.replace(" ", ""),
    )[0]
    page.goto(f"/admin/reporting/clues/inspect/{pk}/")


def act(page, action, fields=None):
    """Fill one action form on the clue's page and send it."""
    form = page.locator(f"#action-{action}")
    for name, value in (fields or {}).items():
        box = form.locator(f'[name="{action}-{name}"]')
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".messages .success, .messages li.success").count(), page.url


def test_clue_from_report_to_feedback(new_context, viewport, server, shots):
    reporter = new_context(viewport)
    poster = server.credentials["poster"]
    tracking_number, access_key = report(reporter, server, f"/r/{poster}/")

    intake = staff_login(new_context(viewport), server, "intake-hebei")
    shots(intake, "intake-dashboard")
    intake.goto(f"/admin/reporting/clues/?q={tracking_number.replace(' ', '')}")
    # Grouped as on the receipt the reporter reads it from.
    assert tracking_number in intake.locator("table.listing").inner_text()
    shots(intake, "queue")
    clue_page(intake, server, tracking_number)
    shots(intake, "clue-as-submitted")
    act(intake, "accept")
    (tangshan,) = server.query("SELECT id FROM reporting_unit WHERE code = 'r130200'")[0]
    act(
        intake,
        "transfer",
        {
            "to_unit": str(tangshan),
            "mode": "normal",
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
            "note": "请核查",
        },
    )
    shots(intake, "transferred")

    verifier = staff_login(new_context(viewport), server, "verifier-tangshan")
    clue_page(verifier, server, tracking_number)
    act(verifier, "acknowledge")
    act(
        verifier,
        "conclude",
        {"finding": "substantiated", "outcome": "criminal_case", "text": "查证属实，已立案。"},
    )
    shots(verifier, "concluded")

    for signer in ("signer1-tangshan", "signer2-tangshan", "signer3-tangshan"):
        signatory = staff_login(new_context(viewport), server, signer)
        clue_page(signatory, server, tracking_number)
        act(signatory, "sign")
        shots(signatory, f"signed-by-{signer}")
        signatory.context.close()

    verifier.reload()
    act(verifier, "feedback", {"text": FEEDBACK})
    shots(verifier, "feedback-given")

    status = reporter.new_page()
    open_status(status, tracking_number, access_key)
    assert FEEDBACK in status.locator("main").inner_text()
    shots(status, "reporter-reads-feedback")


def test_editor_publishes_a_hero_story(new_context, viewport, server, shots):
    username, password = server.credentials["admin"]
    editor = staff_login(new_context(viewport), server, username, password)
    (stories,) = server.query(
        "SELECT p.id FROM wagtailcore_page p JOIN wagtailcore_locale l ON p.locale_id = l.id"
        " WHERE p.slug = 'stories' AND l.language_code = 'zh-hans'"
    )[0]
    # The page's timers run only when the test moves the clock, so the date picker's delayed
    # opening happens at a known moment.
    editor.clock.install()
    editor.goto(f"/admin/pages/add/content/storypage/{stories}/")
    title = f"巡逻民警的一天（{viewport}）"
    editor.locator("#id_title").fill(title)
    editor.locator("#id_person").fill("李警官")
    picker = editor.locator(".xdsoft_datetimepicker:visible")
    # A keyboard user tabbing past the date: its picker used to open over the next fields once
    # focus had gone, where Escape did not close it.
    editor.locator("#id_honours").focus()
    for _ in range(3):  # past the field's comment button
        editor.keyboard.press("Tab")
        if editor.evaluate("document.activeElement.id") == "id_date":
            break
    assert editor.evaluate("document.activeElement.id") == "id_date"
    editor.keyboard.press("Tab")
    editor.clock.run_for(1000)
    assert picker.count() == 0
    # One who stops on it: the picker opens, Escape closes it, the date typed is kept.
    editor.locator("#id_date").focus()
    editor.clock.run_for(1000)
    assert picker.count() == 1
    editor.keyboard.press("Escape")
    assert picker.count() == 0
    editor.keyboard.type(date.today().isoformat())
    editor.keyboard.press("Tab")
    editor.clock.run_for(1000)
    assert picker.count() == 0
    assert editor.locator("#id_date").input_value() == date.today().isoformat()
    editor.locator("#id_summary").fill("他在夜市巡逻十年，帮助摊主摆脱了“保护费”。")
    # The editor saves a draft by itself half a second after the last change, and its first
    # save creates the page. Publishing while a save is under way posted the new page a second
    # time (refused: its address was taken), so the test waits for "Saved", as a person sees it.
    editor.clock.run_for(1000)
    editor.wait_for_function("() => location.pathname.endsWith('/edit/')")
    editor.locator('#w-autosave-indicator[data-w-autosave-state-value="saved"]').wait_for()
    shots(editor, "story-filled")
    editor.locator(
        "footer .w-dropdown__toggle, footer [data-w-dropdown-target=toggle]"
    ).first.click()
    editor.locator('button[name="action-publish"]').click()
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    shots(editor, "published")

    public = new_context(viewport).new_page()
    public.goto("/stories/")
    public.get_by_role("link", name=title).first.click()
    public.wait_for_load_state()
    assert title in public.locator("h1").inner_text()
    assert "李警官" in public.locator("main").inner_text()
    shots(public, "story-public")


def test_the_clue_queue_fits_a_phone(new_context, viewport, server, shots):
    """The queue at 360 and 1280 px: on a phone the tracking number and the status stay in
    view without sideways scrolling; the other columns come back on a wide screen."""
    intake = staff_login(new_context(viewport), server, "intake-hebei")
    intake.goto("/admin/reporting/clues/")
    table = intake.locator("table.listing")
    table.wait_for()
    shots(intake, "queue")
    width = VIEWPORTS[viewport]["viewport"]["width"]
    headings = table.locator("thead th")
    visible = [
        headings.nth(index).inner_text().strip()
        for index in range(headings.count())
        if headings.nth(index).is_visible()
    ]
    for heading in ("跟踪编号", "状态"):
        assert heading in visible, visible
        box = table.locator("thead th", has_text=heading).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (heading, box)
    first_number = table.locator("tbody td.title a").first
    assert first_number.is_visible()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", first_number.inner_text().strip())
    # On one line: a number read out on the phone is not split across two.
    assert first_number.evaluate("e => e.getClientRects().length") == 1
    # Nothing of the table runs off the right edge of the screen.
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= width + 1
    if viewport == "phone":
        assert "单位" not in visible
    else:
        assert {"单位", "重点线索"} <= set(visible), visible
    # The order is said above the table, at both widths.
    assert intake.locator("#sort-notice").is_visible()
    check_axe(intake, f"clue queue ({viewport})")
