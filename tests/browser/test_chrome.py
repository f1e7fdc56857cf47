"""The site's chrome on a phone and a computer: every link and button in the header and
footer is a tap target of at least 44 x 44 px (WCAG 2.5.5; header and footer links are not
inline in running text), the hotline can be called with one tap near the top of a phone's
screen, the header leads to search, and /favicon.ico is an image."""

import re

import pytest

from .conftest import check_axe

PAGES = {
    "home": "/",
    "law": "/law/",
    "law-article": "/law/article-1/",
    "report-form": "/report/",
    "story": "/stories/market-vendor/",
    "search": "/search/?q=%E6%89%AB%E9%BB%91",
}
LANGUAGES = {"zh": "", "en": "/en"}
MINIMUM = 44
# Each visible link, button and form control in the header and footer, with its box.
TARGETS = """() => [...document.querySelectorAll(
    'header.site-header :is(a, button, input, select, summary),'
    + 'footer.site-footer :is(a, button, input, select, summary)')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => {
    const box = el.getBoundingClientRect();
    return {text: (el.innerText || el.value || '').trim().replace(/\\s+/g, ' '),
            where: el.closest('header') ? 'header' : 'footer',
            width: box.width, height: box.height};
  })"""


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_header_and_footer_tap_targets_at_360_px(new_context, language, shots):
    page = new_context("phone").new_page()
    small = []
    for name, path in PAGES.items():
        page.goto(LANGUAGES[language] + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        targets = page.evaluate(TARGETS)
        # The header's and the footer's own links: the menu, the language switch, search,
        # the call and report buttons, the hotline, footer links and registration numbers.
        assert len(targets) >= 8, (name, targets)
        small += [
            f"{name}: {target['where']} “{target['text']}” "
            f"{target['width']:.1f} x {target['height']:.1f}"
            for target in targets
            if target["width"] < MINIMUM or target["height"] < MINIMUM
        ]
    shots(page, "last-page")
    assert not small, "Tap targets smaller than 44 x 44 px:\n" + "\n".join(small)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_phone_calls_the_hotline_from_the_top_of_the_page(new_context, language, server):
    page = new_context("phone").new_page()
    page.goto(LANGUAGES[language] + "/")
    call = page.locator("header a[href^='tel:']")
    assert call.count() == 1
    assert call.get_attribute("href") == "tel:12337"
    assert "12337" in call.inner_text()
    box = call.bounding_box()
    assert box["height"] >= MINIMUM and box["width"] >= 120
    assert box["y"] + box["height"] <= 740 / 2  # in the top half of the first screen
    # The home page's call to report repeats the number on a line of its own.
    repeated = page.locator(".call-to-report__hotline a[href^='tel:']").bounding_box()
    assert repeated["height"] >= MINIMUM and repeated["width"] >= MINIMUM
    # A computer has no telephone: the button is gone there, the footer keeps the number.
    desktop = new_context("desktop").new_page()
    desktop.goto(LANGUAGES[language] + "/")
    assert not desktop.locator("header a[href^='tel:']").is_visible()
    assert desktop.locator("footer a[href='tel:12337']").is_visible()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_header_leads_to_search(new_context, viewport, language):
    page = new_context(viewport).new_page()
    page.goto(LANGUAGES[language] + "/")
    page.locator("header a.header-link").click()
    page.wait_for_url(re.compile(rf"^[^?]*{LANGUAGES[language]}/search/$"))
    assert page.locator("input[type=search]").is_visible()


def test_favicon_ico_is_an_image(new_context, server):
    page = new_context("desktop").new_page()
    response = page.request.get(server.url + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # the ICO file's signature
    page.goto("/")
    icons = page.locator("link[rel=icon]")
    assert icons.first.get_attribute("href") == "/favicon.ico"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_home_at_each_size(new_context, viewport, language, shots):
    """Screenshots of the chrome for people to look at, with axe on the same page."""
    page = new_context(viewport).new_page()
    page.goto(LANGUAGES[language] + "/")
    shots(page, f"home-{language}-{viewport}")
    footer = page.locator("footer .site-operator")
    assert footer.is_visible()
    assert ("虚构" if language == "zh" else "fictional") in footer.inner_text()
    check_axe(page, f"home {language} {viewport}")
