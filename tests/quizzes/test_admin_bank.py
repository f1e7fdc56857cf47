"""The question bank in the admin: the listing, the form's rules, moderation, the chapter of
the cited article, broken citations after a law is re-imported, and leaderboard entries."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Workflow, WorkflowContentType
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from quizzes.models import Attempt, Question
from quizzes.services import leaderboard

from .bank_helpers import LAW_TEXT, WITHOUT_ARTICLE_4, answer_many, make_question, reimport

pytestmark = pytest.mark.django_db
LIST = "/admin/snippets/quizzes/question/"
ADD = LIST + "add/"


def row(html, text):
    """The table row of the question whose text this is."""
    start = html.index(text)
    return html[start : html.index("</tr>", start)]


def edit_url(question):
    return f"{LIST}edit/{question.pk}/"


def question_form(law_page, options=(("Yes", True), ("No", False)), **fields):
    data = {
        "kind": "single",
        "text": "Who may be held responsible?",
        "statement_is_true": "",
        "explanation": "Article 2 says so.",
        "law": law_page.pk,
        "article": 2,
        "paragraph": 1,
        "item": "",
        "tags": "总则",
        "options": inline_formset(
            [{"text": text, "correct": "on" if right else ""} for text, right in options]
        ),
    }
    data.update(fields)
    return nested_form_data(data)


def test_the_listing_shows_each_questions_citation_chapter_topics_and_figures(
    client, chief, law, quiz, django_assert_max_num_queries
):
    client.force_login(chief)
    cited = make_question(law, text="Paragraph question", article=2, paragraph=1, topics=["总则"])
    answer_many(cited, quiz, right=3, wrong=1)
    make_question(law, text="Second chapter question", article=3, paragraph=None)
    html = client.get(LIST).content.decode()
    first = row(html, "Paragraph question")
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", first, re.S)
    assert cells[-7:-1] == ["single choice", "Article 2(1)", "Chapter 1 总则", "总则", "4", "75%"]
    assert "live" in cells[-1]
    second = row(html, "Second chapter question")
    assert "Chapter 2" in second and "—" in second
    assert "Import questions" in html

    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(15):
        question = make_question(law, text=f"More {number}", topics=["总则", f"主题{number}"])
        answer_many(question, quiz, right=1, wrong=1)
    with CaptureQueriesContext(connection) as many:
        html = client.get(LIST).content.decode()
    assert "More 14" in html
    assert len(ours(many)) == len(ours(few)) < 40


def ours(captured):
    """The listing's queries, less the one per row that Wagtail's "Translate" button of a
    translatable snippet makes (simple_translation asks whether each row lacks a locale)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith('SELECT 1 AS "a" FROM "wagtailcore_locale"')
    ]


def test_the_listing_filters_by_kind_topic_and_live(client, chief, law):
    client.force_login(chief)
    make_question(law, text="Single on topic", topics=["财产处置"])
    make_question(law, text="Judged", kind=Question.Kind.TRUE_FALSE, statement_is_true=True)
    make_question(law, text="A draft", live=False)
    kind = client.get(LIST, {"kind": "true_false"}).content.decode()
    assert "Judged" in kind and "Single on topic" not in kind
    from taggit.models import Tag

    tag = Tag.objects.get(name="财产处置")
    topic = client.get(LIST, {"tags": tag.pk}).content.decode()
    assert "Single on topic" in topic and "Judged" not in topic
    drafts = client.get(LIST, {"live": "false"}).content.decode()
    assert "A draft" in drafts and "Judged" not in drafts


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"options": (("Yes", True), ("No", True))},
            "A single-choice question has exactly one right option; this one has 2.",
        ),
        (
            {"options": (("Yes", False), ("No", False))},
            "A single-choice question has exactly one right option; this one has 0.",
        ),
        ({"options": (("Only", True),)}, "A choice question has from 2 to 6 options"),
        (
            {"kind": "multiple", "options": (("Yes", False), ("No", False))},
            "A multiple-choice question needs at least one right option.",
        ),
        ({"kind": "multiple", "options": (("Only", True),)}, "from 2 to 6 options"),
        (
            {"kind": "true_false", "options": (("Yes", True), ("No", False))},
            "A true-or-false question has no options",
        ),
        ({"paragraph": "", "item": 1}, "An item is cited within its paragraph: give both."),
        ({"article": 9}, "示例法, Article 9(1) is not in the published text of the law."),
        ({"paragraph": 3}, "示例法, Article 2(3) is not in the published text of the law."),
        ({"item": 3}, "示例法, Article 2(1)(3) is not in the published text of the law."),
        ({"paragraph": 2, "item": 1}, "Article 2(2)(1) is not in the published text"),
    ],
)
def test_the_form_refuses_what_the_bank_does_not_accept(client, chief, law, fields, message):
    client.force_login(chief)
    response = client.post(ADD, question_form(law, **fields))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Question.objects.exists()


def test_seven_options_are_refused(client, chief, law):
    client.force_login(chief)
    options = [(f"Option {n}", n == 0) for n in range(7)]
    response = client.post(ADD, question_form(law, options=options))
    assert response.status_code == 200
    assert not Question.objects.exists()


def test_a_draft_is_not_drawn_until_it_is_published(client, editor, chief, law, quiz):
    client.force_login(editor)
    response = client.post(ADD, question_form(law, text="Drafted question"))
    assert response.status_code == 302, response.content.decode()[-3000:]
    question = Question.objects.get()
    assert not question.live and question.latest_revision is not None
    assert [option.correct for option in question.options.all()] == [True, False]
    assert not quiz.bank().filter(pk=question.pk).exists()

    # An editor without the publish permission cannot publish it.
    publish = {"action-publish": "1"}
    client.post(edit_url(question), question_form(law, text="Drafted question", **publish))
    question.refresh_from_db()
    assert not question.live

    client.force_login(chief)
    form = question_form(law, text="Drafted question", **publish)
    response = client.post(edit_url(question), form)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.live
    assert quiz.bank().filter(pk=question.pk).exists()


def test_a_question_goes_through_the_moderation_workflow(client, editor, chief, law, quiz):
    workflow = Workflow.objects.get(name="Moderators approval")
    WorkflowContentType.objects.create(
        content_type=ContentType.objects.get_for_model(Question), workflow=workflow
    )
    client.force_login(editor)
    response = client.post(ADD, question_form(law, text="Submitted", **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[-3000:]
    question = Question.objects.get()
    assert question.workflow_in_progress and not question.live
    assert not quiz.bank().exists()

    client.force_login(chief)
    task_state = question.current_workflow_task_state
    approve = reverse(
        "wagtailsnippets_quizzes_question:workflow_action",
        args=[question.pk, "approve", task_state.pk],
    )
    assert client.post(approve, {"comment": "OK"}).status_code in {200, 302}
    question.refresh_from_db()
    assert question.live
    assert list(quiz.bank()) == [question]


def test_the_edit_form_shows_the_chapter_of_the_cited_article(client, chief, law):
    client.force_login(chief)
    question = make_question(law, article=3, paragraph=None)
    html = client.get(edit_url(question)).content.decode()
    assert "The cited article is in Chapter 2" in html


def test_a_reimported_law_breaks_and_mends_citations(client, chief, law, quiz):
    client.force_login(chief)
    fine = make_question(law, text="Cites article 2", article=2, paragraph=1, item=2)
    doomed = make_question(law, text="Cites article 4", article=4, paragraph=None)
    assert "cite provisions the published law" not in client.get(LIST).content.decode()
    assert "cites a provision the published law" not in client.get("/admin/").content.decode()

    reimport(law, WITHOUT_ARTICLE_4, user=chief)
    listing = client.get(LIST).content.decode()
    assert "1 question cites a provision the published law no longer has." in listing
    assert reverse("quiz_broken_citations") in listing
    home = client.get("/admin/").content.decode()
    assert "1 question cites a provision the published law no longer has." in home
    report = client.get(reverse("quiz_broken_citations")).content.decode()
    assert "Cites article 4" in report and edit_url(doomed) in report
    assert "Cites article 2" not in report
    assert fine.pk != doomed.pk

    reimport(law, LAW_TEXT, user=chief)  # new rows, the same numbers
    report = client.get(reverse("quiz_broken_citations")).content.decode()
    assert "Cites article 4" not in report
    assert "cites a provision the published law" not in client.get("/admin/").content.decode()


def test_a_draft_of_the_law_does_not_count_until_published(client, chief, law):
    from law.importer import import_into, parsed

    client.force_login(chief)
    make_question(law, text="Cites article 4", article=4, paragraph=None)
    import_into(law, parsed(WITHOUT_ARTICLE_4), user=chief)  # a draft only
    report = client.get(reverse("quiz_broken_citations")).content.decode()
    assert "Cites article 4" not in report


def test_the_reports_and_import_are_for_those_who_work_on_questions(client, outsider, law):
    client.force_login(outsider)
    for url in (
        reverse("quiz_broken_citations"),
        reverse("quiz_question_statistics"),
        reverse("quiz_questions_import"),
        LIST,
    ):
        assert client.get(url).status_code in (302, 403), url
    make_question(law, article=4, paragraph=None)
    reimport(law, WITHOUT_ARTICLE_4)
    assert "cites a provision" not in client.get("/admin/").content.decode()


def test_an_editor_sees_the_broken_citations_but_has_no_publish_checkbox(client, editor, law):
    client.force_login(editor)
    make_question(law, article=4, paragraph=None)
    reimport(law, WITHOUT_ARTICLE_4)
    assert "1 question cites" in client.get("/admin/").content.decode()
    assert client.get(reverse("quiz_broken_citations")).status_code == 200
    assert 'name="publish"' not in client.get(reverse("quiz_questions_import")).content.decode()


# Leaderboard entries


def _attempt(quiz_page, name="", score=3, **fields):
    now = timezone.now()
    return Attempt.objects.create(
        quiz=quiz_page,
        question_ids=[1, 2, 3],
        started_at=now,
        finished_at=now,
        score=score,
        duration_ms=1000,
        display_name=name,
        on_leaderboard=bool(name),
        **fields,
    )


def test_an_editor_hides_an_offensive_leaderboard_entry(client, chief, quiz):
    client.force_login(chief)
    rude = _attempt(quiz, "Rude name", score=3)
    polite = _attempt(quiz, "Polite", score=2)
    anonymous = _attempt(quiz, "", score=1)
    listing = client.get("/admin/quizzes/attempts/").content.decode()
    assert "Rude name" in listing and "Polite" in listing
    assert str(anonymous.pk) not in listing
    assert "/admin/quizzes/attempts/new/" not in listing
    assert client.get(f"/admin/quizzes/attempts/edit/{anonymous.pk}/").status_code == 404

    form = client.get(f"/admin/quizzes/attempts/edit/{rude.pk}/").content.decode()
    assert 'name="hidden"' in form
    assert 'name="display_name"' not in form and 'name="score"' not in form
    response = client.post(
        f"/admin/quizzes/attempts/edit/{rude.pk}/",
        {"hidden": "on", "display_name": "Changed", "score": 100},
    )
    assert response.status_code == 302
    rude.refresh_from_db()
    assert rude.hidden and rude.display_name == "Rude name" and rude.score == 3
    assert leaderboard(quiz) == [polite]


def test_attempts_cannot_be_added_or_deleted(client, chief, quiz):
    client.force_login(chief)
    entry = _attempt(quiz, "Someone")
    assert client.get("/admin/quizzes/attempts/new/").status_code in (302, 403)
    assert client.post(f"/admin/quizzes/attempts/delete/{entry.pk}/").status_code in (302, 403)
    assert Attempt.objects.filter(pk=entry.pk).exists()
    assert re.search(r"Leaderboard entries", client.get("/admin/").content.decode())
