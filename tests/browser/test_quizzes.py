"""The demo's quizzes in Chromium: a whole competition attempt with the keyboard alone and
scripts off, and every page of a practice attempt judged by axe-core, in both languages and
at both sizes."""

import pytest

from .conftest import check_axe

LANGUAGES = {"zh": "", "en": "/en"}


def tab_to(page, predicate, limit=80):
    """Press Tab until the focused element satisfies `predicate` (JavaScript, given the
    element); its description."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(e) => ({predicate})(e)", page.evaluate_handle("document.activeElement")
        ):
            return page.evaluate("document.activeElement.outerHTML")
    pytest.fail(f"Tab never reached an element where {predicate}")


def follow(page, selector):
    """Click what leads to another page and wait for that page: a count() read right after a
    bare click may still read the page being left."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def answer_with_keys(page):
    """Tab to the first option, tick it with Space, and send the answer with Enter."""
    tab_to(page, "(e) => e.name === 'answer'")
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_competition_with_the_keyboard_alone_and_no_scripts(new_context, viewport, shots):
    page = new_context(viewport, javascript=False).new_page()
    page.goto("/law-quiz-competition/")
    tab_to(page, "(e) => e.tagName === 'A' && e.getAttribute('href').endsWith('/start/')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "(e) => e.tagName === 'BUTTON' && e.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for number in range(1, 11):
        assert f"第 {number} 题，共 10 题" in page.locator(".quiz-progress").inner_text()
        if number == 1:
            shots(page, "question")
        answer_with_keys(page)
    assert page.locator("h1").inner_text() == "您的成绩"
    assert "共 10 题" in page.locator(".quiz-score").inner_text()
    shots(page, "result")
    tab_to(page, "(e) => e.name === 'display_name'")
    page.keyboard.type("键盘答题者")
    tab_to(page, "(e) => e.name === 'on_leaderboard'")
    page.keyboard.press("Space")
    tab_to(page, "(e) => e.tagName === 'BUTTON' && e.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "显示名称：键盘答题者" in page.locator("main").inner_text()
    shots(page, "named")
    page.get_by_role("link", name="查看排行榜").click()
    assert "键盘答题者" in page.locator("table").inner_text()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_of_a_practice_attempt_passes_axe(new_context, viewport, language, shots):
    prefix = LANGUAGES[language]
    page = new_context(viewport).new_page()
    page.goto(f"{prefix}/law-quiz/")
    check_axe(page, "quiz page")
    follow(page, "main a.button--primary")
    check_axe(page, "start page")
    follow(page, "main form button[type=submit]")
    # Sent without a choice: the question again, with its error.
    follow(page, "main form button[type=submit]")
    assert page.locator(".field__error").count() == 1
    check_axe(page, "question with an error")
    shots(page, "question-error")
    page.locator("input[name=answer]").first.check()
    follow(page, "main form button[type=submit]")
    assert page.locator(".quiz-verdict").count() == 1
    check_axe(page, "the answer's feedback")
    shots(page, "feedback")
    while page.locator(".quiz-verdict").count():
        follow(page, "main a.button--primary")
        if page.locator("input[name=answer]").count() == 0:
            break
        page.locator("input[name=answer]").first.check()
        follow(page, "main form button[type=submit]")
    assert page.locator(".quiz-score").count() == 1
    check_axe(page, "result")
    shots(page, "result")
    page.goto(f"{prefix}/law-quiz-competition/")
    check_axe(page, "competition page")
    follow(page, "main a[href$='/leaderboard/']")
    assert page.locator("tbody tr").count() >= 3
    check_axe(page, "leaderboard")
    page.goto(f"{prefix}/quizzes/certificates/?code=ABCDE-FGHJK")
    check_axe(page, "certificate check, unknown code")
