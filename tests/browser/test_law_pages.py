"""The law in Chromium: every article has its text, the article number is the page's main
heading, "copy citation" is a button a thumb can hit (44 x 44 px at 360 px), English pages
read in English; screenshots of the law and an article in both languages and at both sizes."""

import pytest

from .conftest import check_axe

PAGES = {
    "zh": {"law": "/law/", "article": "/law/article-50/", "h1": "第五十条"},
    "en": {"law": "/en/law/", "article": "/en/law/article-50/", "h1": "Article 50"},
}


@pytest.mark.parametrize("language", list(PAGES))
def test_law_and_article_pages(new_context, viewport, language, shots):
    paths = PAGES[language]
    page = new_context(viewport).new_page()

    page.goto(paths["law"])
    shots(page, f"law-{language}")
    assert page.locator(".law-article").count() == 77
    assert page.locator(".law-article__missing").count() == 0
    if language == "en":
        assert page.get_by_role("heading", name="Chapter 1 General Provisions").count() == 1
    check_axe(page, f"law page ({language})")

    page.goto(paths["article"])
    shots(page, f"article-{language}")
    heading = page.locator("h1")
    assert heading.count() == 1
    assert heading.inner_text().strip() == paths["h1"]
    assert heading.is_visible()
    # The main heading is not weaker than the breadcrumb above it.
    sizes = page.evaluate(
        """() => [document.querySelector('h1'), document.querySelector('.breadcrumbs a')]
                 .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert sizes[0] > sizes[1], sizes
    button = page.locator("button.law-copy")
    button.wait_for(state="visible")
    box = button.bounding_box()
    if viewport == "phone":
        assert box["width"] >= 44 and box["height"] >= 44, box
    assert page.locator(".law-paragraph").count() == 2
    check_axe(page, f"article page ({language})")


def test_copy_citation_copies_in_the_pages_language(new_context):
    context = new_context("phone")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    for path, expected in (
        ("/law/article-22/", "《反有组织犯罪法》第二十二条"),
        ("/en/law/article-22/", "Anti-Organized Crime Law, Article 22"),
    ):
        page.goto(path)
        page.locator("button.law-copy").click()
        page.wait_for_function("document.querySelector('[role=status]').textContent !== ''")
        assert page.evaluate("navigator.clipboard.readText()") == expected
