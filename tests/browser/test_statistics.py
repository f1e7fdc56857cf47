"""The public statistics page as a phone and a desktop show it: no table wider than the screen
(each row a card on a phone), chart labels of 12 px or more as drawn, the word for a suppressed
figure with its explanation, and axe at zero. Screenshots at 360 and 1280 px go to the suite's
folder."""

import pytest

from .conftest import check_axe

LANGUAGES = {"zh": "", "en": "/en"}

# The width a chart label is drawn at: its font size scaled as the SVG's viewBox is.
CHART_LABEL_SIZES = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(text =>
    parseFloat(getComputedStyle(text).fontSize) * scale);
})"""
OVERFLOW = """() => ({
  page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
  boxes: [...document.querySelectorAll('.table-scroll')]
    .filter(box => box.scrollWidth > box.clientWidth)
    .map(box => box.getAttribute('aria-labelledby')),
})"""


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_statistics_page_fits_and_says_what_is_suppressed(new_context, viewport, language, shots):
    prefix = LANGUAGES[language]
    page = new_context(viewport).new_page()
    page.goto(f"{prefix}/figures/")
    shots(page, f"statistics-{viewport}")

    overflow = page.evaluate(OVERFLOW)
    scroll_width, client_width = overflow["page"]
    assert scroll_width <= client_width, f"the page scrolls sideways: {overflow}"
    if viewport == "phone":
        # Cards, not a scrolling box: no table may hide a column off the edge.
        assert overflow["boxes"] == []
        cell = page.locator(".figures-table tbody td").first
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") != "none"
        header = page.locator(".figures-table thead").first
        assert header.evaluate("el => el.getBoundingClientRect().width") <= 1

    sizes = page.evaluate(CHART_LABEL_SIZES)
    assert sizes, "the chart has no labels"
    assert min(sizes) >= 12, f"chart labels drawn at {min(sizes):.1f} px"

    # The breakdown by channel is one of the tables measured above.
    assert page.locator("#figures-channels + .table-scroll .figures-table").count() == 1

    # The demo hides some figures: the word, never "<5", and the note under the table.
    words = page.locator(".figures-table .suppressed").all_inner_texts()
    assert words and len(set(words)) == 1 and "<" not in words[0], words
    assert page.locator(".suppressed-note").count() > 0
    assert "<5" not in page.locator("main").inner_text()
    check_axe(page, f"statistics {language} {viewport}")
