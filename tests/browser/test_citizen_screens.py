"""The citizen's screens at a phone's and a desktop's size: the report form (as it opens and in
its error state), the receipt, the lookup with its show-key toggle, and the status page when
staff have asked a question. Each is shot for review, checked with axe, and the controls a
thumb must hit are measured."""

import re

from .conftest import VIEWPORTS, check_axe
from .steps import ask, fill_report, read_receipt, send

TAP = 44  # px: WCAG 2.5.5's target size, the portal's minimum


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def assert_tappable(page, selector):
    size = box(page, selector)
    assert size["height"] >= TAP and size["width"] >= TAP, (selector, size)


def file_button_height(page, selector):
    """The picker's own button is a pseudo-element: its used height, from the computed
    style, next to the input's box that holds it."""
    return page.evaluate(
        "s => parseFloat(getComputedStyle(document.querySelector(s),"
        " '::file-selector-button').height)",
        selector,
    )


def key_groups_on_one_line(page):
    """For each group of the key on the receipt: whether all its characters are on one line."""
    return page.evaluate(
        """() => {
          const node = document.querySelector('#access-key').firstChild;
          const text = node.textContent;
          const groups = [];
          const pattern = /[0-9A-Z]{4}/g;
          let found;
          while ((found = pattern.exec(text))) {
            const range = document.createRange();
            range.setStart(node, found.index);
            range.setEnd(node, found.index + 4);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            groups.push(tops.size === 1);
          }
          return groups;
        }"""
    )


def test_citizen_screens(new_context, viewport, server, shots):
    page = new_context(viewport).new_page()

    page.goto("/report/")
    plain_title = page.title()
    shots(page, "report-form")
    check_axe(page, "report form")
    if viewport == "phone":
        assert_tappable(page, 'input[name="evidence"]')
        assert file_button_height(page, 'input[name="evidence"]') >= TAP
        assert_tappable(page, 'button[name="refresh_captcha"]')
        assert_tappable(page, "a.captcha__audio")
    # The new-picture button sits beside the picture, before the send button.
    picture, refresh = box(page, ".captcha__image"), box(page, 'button[name="refresh_captcha"]')
    assert abs(refresh["y"] - picture["y"]) < picture["height"]
    assert refresh["y"] < box(page, ".report-form button.button--primary")["y"]

    send(page)
    page.wait_for_selector("#error-summary")
    assert page.title() != plain_title and page.title().endswith(plain_title.split(" · ")[-1])
    assert plain_title.split(" · ")[0] in page.title().split(" · ")[0]
    shots(page, "report-form-errors")
    check_axe(page, "report form with errors")

    fill_report(page, server)
    send(page)
    tracking_number, access_key = read_receipt(page)
    assert all(key_groups_on_one_line(page)), key_groups_on_one_line(page)
    assert len(key_groups_on_one_line(page)) == 5
    shots(page, "receipt")
    check_axe(page, "receipt")

    page.goto("/report/status/")
    page.locator("#id_tracking_number").fill(tracking_number)
    key_box = page.locator("#id_access_key")
    key_box.fill(access_key)
    toggle = page.locator("[data-reveal]")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert key_box.get_attribute("type") == "password"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert key_box.get_attribute("type") == "text"
    assert key_box.input_value() == access_key
    if viewport == "phone":
        assert_tappable(page, "[data-reveal]")
    shots(page, "lookup-key-shown")
    check_axe(page, "lookup with the key shown")
    page.locator("main form button.button--primary").click()
    page.wait_for_selector("#public-status")
    assert page.locator('textarea[name="body"]').count() == 0  # nothing asked yet

    ask(server, tracking_number, "（测试）上门的人开什么车？记得车牌号吗？")
    page.reload()
    headline = page.locator("h1").inner_text()
    assert tracking_number not in headline
    question, answer = box(page, ".question__text"), box(page, 'textarea[name="body"]')
    assert question["y"] < answer["y"] < box(page, "#status-title")["y"]
    if viewport == "phone":
        # On a phone the question is on the first screen, without scrolling.
        assert question["y"] < VIEWPORTS["phone"]["viewport"]["height"]
        assert_tappable(page, 'input[name="evidence"]')
        assert file_button_height(page, 'input[name="evidence"]') >= TAP
    shots(page, "status-with-question")
    check_axe(page, "status page with a question")


def test_the_lookup_works_without_javascript(new_context, server, shots):
    page = new_context("phone", javascript=False).new_page()
    page.goto("/report/status/")
    assert not page.locator("[data-reveal]").is_visible()
    assert page.locator("#id_access_key").get_attribute("type") == "password"
    assert re.search(r"/report/status/$", page.url)
    shots(page, "lookup-no-js")
