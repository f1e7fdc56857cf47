"""A reporter's way through the public side: a poster's code, the form, the receipt, the
status page, at a phone's and a desktop's size, with and without JavaScript."""

import re

import pytest

from .steps import WHAT_HAPPENED, fill_report, open_status, read_receipt, send


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_scan_report_receipt_status(new_context, viewport, javascript, server, shots):
    page = new_context(viewport, javascript=javascript).new_page()
    poster = server.credentials["poster"]

    page.goto(f"/r/{poster}/")
    page.wait_for_url(re.compile(rf"/report/\?entry={poster}"))
    # The poster chose the kind of wrongdoing and the district.
    assert page.locator('input[name="category"]:checked').count() == 1
    assert page.locator("#id_region").input_value() == "130203"
    shots(page, "form-from-poster")

    # Sent too early: the answers are kept and the errors named.
    page.locator("#id_where").fill("农贸市场东门")
    send(page)
    page.wait_for_selector("#error-summary")
    assert page.locator("#id_where").input_value() == "农贸市场东门"
    assert page.locator("#id_what_happened-field .field__error").is_visible()
    shots(page, "form-with-errors")

    fill_report(page, server)
    shots(page, "form-filled")
    send(page)
    tracking_number, access_key = read_receipt(page)
    assert re.fullmatch(r"[\d ]{12,}", tracking_number)
    assert re.fullmatch(r"[A-Z0-9-]{20,}", access_key)
    # Printing needs a script: without one the button stays hidden.
    assert page.locator("[data-print]").is_visible() == javascript
    shots(page, "receipt")

    open_status(page, tracking_number, access_key)
    assert tracking_number in page.locator("h1").inner_text()
    assert page.locator(".status__dates dd").nth(2).inner_text().strip() == "1"  # the photo
    shots(page, "status")


def test_report_form_with_the_keyboard_alone(new_context, viewport, server, shots):
    """Tab from the top of the page, type, tick with Space, send with Enter: no mouse."""
    page = new_context(viewport).new_page()
    page.goto("/report/")
    typed = {
        "what_happened": WHAT_HAPPENED,
        "where": "农贸市场东门",
        "party-0-name": "黄毛",
    }
    done = set()
    for _ in range(150):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {name: e.name || '', type: e.type || '', checked: !!e.checked,"
            " groupChecked: e.type === 'radio' &&"
            " !!e.form.querySelector(`input[name='${e.name}']:checked`)}; }"
        )
        name = focused["name"]
        if name in typed and name not in done:
            page.keyboard.type(typed[name])
            done.add(name)
        elif (focused["type"] == "radio" and not focused["groupChecked"]) or (
            name == "agree" and not focused["checked"]
        ):
            page.keyboard.press("Space")
            done.add(name)
        elif name == "captcha_1":
            key = page.locator('input[name="captcha_0"]').input_value()
            page.keyboard.type(server.captcha_answer(key))
            shots(page, "filled-by-keyboard")
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"The captcha was never reached with Tab; reached: {sorted(done)}")
    assert {"category", "agree", *typed} <= done
    tracking_number, _key = read_receipt(page)
    assert tracking_number
    shots(page, "receipt")


def test_focus_is_visible_on_every_field(new_context, server):
    """Each control the keyboard reaches on the form shows where the focus is."""
    page = new_context("desktop").new_page()
    page.goto("/report/")
    unringed = []
    for _ in range(120):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0"
            "   || s.boxShadow !== 'none';"
            " const date = e.closest('input[type=date]');"
            " return {tag: e.tagName, name: e.name || e.textContent.trim().slice(0, 30),"
            " ring: ring, last: e.name === 'captcha_1'}; }"
        )
        if not info["ring"]:
            unringed.append(f"{info['tag']} {info['name']}")
        if info["last"]:
            break
    assert not unringed, unringed
