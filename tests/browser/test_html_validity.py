"""Valid HTML, judged by an outside tool: the W3C Nu HTML checker (npm `vnu-jar`, run on
Debian's Java) over the HTML the server sends for every public page type and form state, in
both languages (docs/development.md#browser-tests).

The pages are fetched through Chromium, so the form states are reached as a person reaches
them (a real POST, a real redirect to the receipt), but what is checked is the response body
as served, not the DOM after scripts ran: the checker judges our templates, not the browser's
repair of them. All pages go to one run of the checker (one JVM start)."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.template import loader
from django.utils import translation

import pytest

from .conftest import HERE, SCREENSHOTS
from .steps import ask, fill_report, open_status, read_receipt, send

VNU_JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = {"zh": "", "en": "/en"}
# A word the demo's pages hold in each language, so the search page lists results.
FOUND = {"zh": "/search/?q=%E6%89%AB%E9%BB%91", "en": "/search/?q=market"}
# One page of each public type, without the language prefix.
PAGES = {
    "home": "/",
    "law-index": "/law/",
    "law-article": "/law/article-1/",
    "law-print": "/law/print/",
    "story-index": "/stories/",
    "story": "/stories/market-vendor/",
    "news-index": "/news/",
    "news-item": "/news/law-week/",
    "guide": "/guide/",
    "privacy": "/privacy/",
    "about": "/about/",
    "search-no-results": "/search/?q=zzqqxxnothing",
    "search-empty": "/search/",
    "statistics": "/figures/",
    "quiz": "/law-quiz/",
    "quiz-competition": "/law-quiz-competition/",
    "certificate-check": "/quizzes/certificates/",
    "certificate-check-unknown": "/quizzes/certificates/?code=ABCDE-FGHJK",
    "certificate-check-malformed": "/quizzes/certificates/?code=%3Cscript%3E",
    "report-form": "/report/",
    "status-lookup": "/report/status/",
    "not-found": "/no-such-page/",
    # A NUL in the query string is refused before any view (portal.middleware): the 400 page.
    "bad-request": "/?q=%00",
}


def _answers_form(response, page):
    """The final response to a form sent from `page`: a POST's own answer, or the page it
    redirected to (the receipt, the unlocked status page)."""
    request = response.request
    return (
        request.resource_type == "document"
        and response.frame == page.main_frame
        and (request.method == "POST" or request.redirected_from is not None)
        and not 300 <= response.status < 400
    )


def served_by(page, action, *args, **kwargs):
    """The HTML the server answered to the form that `action` sends from `page`."""
    with page.expect_response(lambda response: _answers_form(response, page)) as info:
        action(*args, **kwargs)
    return info.value.text()


def served_by_link(page, selector):
    """The HTML the server answered for the link `selector` finds on `page`."""
    href = page.locator(selector).first.get_attribute("href")
    return page.goto(href).text()


def collect_pages(new_context, server):
    """{name: served HTML} for every public page type and form state."""
    html = {}
    for language, prefix in LANGUAGES.items():
        # A browser per language: an unlocked status page stays unlocked in its session.
        page = new_context("desktop").new_page()
        for name, path in PAGES.items():
            response = page.goto(prefix + path)
            assert response is not None, path
            html[f"{language}-{name}"] = response.text()
        response = page.goto(prefix + FOUND[language])
        assert page.locator(".search-result").count(), f"{language}: the search found nothing"
        html[f"{language}-search-results"] = response.text()

        # The report form in its error state: sent with nothing filled in.
        page.goto(f"{prefix}/report/")
        html[f"{language}-report-form-errors"] = served_by(page, send, page)

        # A whole report: the receipt, then the status page unlocked with its key.
        page.goto(f"{prefix}/report/")
        fill_report(page, server)
        html[f"{language}-receipt"] = served_by(page, send, page)
        tracking_number, access_key = read_receipt(page)
        html[f"{language}-status"] = served_by(
            page, open_status, page, tracking_number, access_key, prefix=prefix
        )
        # The same page once staff have asked a question: the question and its answer box.
        ask(server, tracking_number, "摊位费每次是谁来收？")
        html[f"{language}-status-with-question"] = page.goto(f"{prefix}/report/status/").text()
        assert page.locator(".question__text").count(), "the question is not shown"

        # The status lookup refusing a wrong key for that tracking number, in a browser
        # that has not unlocked it.
        other = new_context("desktop").new_page()
        other.goto(f"{prefix}/report/status/")
        other.locator("#id_tracking_number").fill(tracking_number)
        other.locator("#id_access_key").fill(re.sub(r"[A-Z0-9]", "7", access_key))
        html[f"{language}-status-lookup-error"] = served_by(
            other, other.locator("main form button[type=submit]").click
        )

        # A practice quiz: its start page, a question sent without a choice, the right answer
        # after one, and the result; the competition's leaderboard.
        quiz = new_context("desktop").new_page()
        quiz.goto(f"{prefix}/law-quiz/")
        html[f"{language}-quiz-start"] = served_by_link(quiz, "main a.button--primary")
        submit = quiz.locator("main form button[type=submit]").click
        html[f"{language}-quiz-question"] = served_by(quiz, submit)
        html[f"{language}-quiz-question-error"] = served_by(quiz, submit)
        quiz.locator("input[name=answer]").first.check()
        html[f"{language}-quiz-feedback"] = served_by(quiz, submit)
        while quiz.locator(".quiz-verdict").count():
            # Each click waits for the page it leads to, so the next count reads that page.
            with quiz.expect_navigation():
                quiz.locator("main a.button--primary").click()
            if not quiz.locator("input[name=answer]").count():
                break
            quiz.locator("input[name=answer]").first.check()
            with quiz.expect_navigation():
                quiz.locator("main form button[type=submit]").click()
        html[f"{language}-quiz-result"] = quiz.goto(quiz.url).text()
        quiz.goto(f"{prefix}/law-quiz-competition/")
        html[f"{language}-quiz-leaderboard"] = served_by_link(
            quiz, "main a[href$='/leaderboard/']"
        )

    # A poster's entry point leads to the report form set to its category and region.
    poster = server.credentials["poster"]
    response = page.goto(f"/r/{poster}/")
    assert re.search(rf"/report/\?entry={poster}", page.url), page.url
    html["zh-report-form-from-poster"] = response.text()

    # No address leads to the 500 page on purpose: it is rendered here as Django's
    # server_error view renders it, without a request.
    for language, code in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(code):
            html[f"{language}-server-error"] = loader.render_to_string("500.html")
    return html


def run_checker(files):
    """The Nu checker's messages per file name, from one JVM."""
    completed = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    # The checker writes its report to standard error.
    messages = json.loads(completed.stderr)["messages"]
    by_file = {}
    for message in messages:
        name = Path(unquote(urlparse(message.get("url", "")).path)).name
        by_file.setdefault(name, []).append(message)
    return by_file


def test_every_public_page_is_valid_html(new_context, server):
    if shutil.which("java") is None:
        pytest.fail("Java is missing: install Debian's default-jre-headless (scripts/test does)")
    if not VNU_JAR.exists():
        pytest.fail(f"The Nu HTML checker is missing: run `npm ci` in {HERE}")
    html = collect_pages(new_context, server)

    folder = SCREENSHOTS / "html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = []
    for name, body in html.items():
        path = folder / f"{name}.html"
        path.write_text(body, encoding="utf-8")
        files.append(path)

    by_file = run_checker(files)
    # Errors only, and anything that stopped the checker reading a file ("non-document-error").
    # Its "info" messages, warnings included, are advice (for example a `type` attribute on
    # a script being unnecessary), not invalid HTML.
    problems = [
        f"{name}:{message.get('lastLine', '?')}: {message['message']}"
        f" [{message.get('extract', '').strip()[:120]}]"
        for name, messages in sorted(by_file.items())
        for message in messages
        if message["type"] in {"error", "non-document-error"}
    ]
    assert len(by_file.keys() - {path.name for path in files}) == 0, sorted(by_file)
    assert not problems, f"{len(problems)} errors from the Nu HTML checker:\n" + "\n".join(
        problems
    )
