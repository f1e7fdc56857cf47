"""How often each question is answered right, for editors: the figures, the flags (only
after 20 answers), the order, one quiz's answers, the query count and who may see them."""

import pytest

from quizzes import question_statistics
from quizzes.models import Question, QuizPage

from .bank_helpers import answer_many, make_question

pytestmark = pytest.mark.django_db
REPORT = "/admin/quizzes/statistics/"


def row(html, text):
    """The table row of the question whose text this is."""
    start = html.index(text)
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("answered", "percent", "expected"),
    [
        (19, 100.0, None),  # too few answers to say
        (20, 95.0, "too_easy"),
        (20, 94.9, None),
        (20, 30.0, "too_hard"),
        (40, 30.1, None),
        (0, None, None),
    ],
)
def test_the_flags(answered, percent, expected):
    assert question_statistics.flag(answered, percent) == expected


def test_the_report_shows_figures_and_flags_ordered_by_percent_right(client, chief, law, quiz):
    easy = make_question(law, text="Easy one")
    hard = make_question(law, text="Hard one")
    rare = make_question(law, text="Rarely answered")
    middling = make_question(law, text="Middling")
    make_question(law, text="Never answered")
    answer_many(easy, quiz, right=19, wrong=1)  # 95%
    answer_many(hard, quiz, right=6, wrong=14)  # 30%
    answer_many(rare, quiz, right=0, wrong=3)  # 0%, but only 3 answers
    answer_many(middling, quiz, right=12, wrong=8)  # 60%
    client.force_login(chief)
    html = client.get(REPORT).content.decode()
    order = [html.index(text) for text in ("Rarely", "Hard one", "Middling", "Easy one", "Never")]
    assert order == sorted(order)
    rows = {text: row(html, text) for text in ("Easy one", "Hard one", "Rarely")}
    assert "95%" in rows["Easy one"] and "too easy" in rows["Easy one"]
    assert "30%" in rows["Hard one"] and "too hard or misleading" in rows["Hard one"]
    assert "0%" in rows["Rarely"] and "too hard" not in rows["Rarely"]

    descending = client.get(REPORT, {"ordering": "-percent_right"}).content.decode()
    order = [descending.index(text) for text in ("Easy one", "Middling", "Hard one", "Never")]
    assert order == sorted(order)


def test_the_figures_of_one_quiz(client, chief, law, quiz, site_tree):
    other = QuizPage(title="另一测验", slug="other-quiz")
    site_tree["home"].add_child(instance=other)
    question = make_question(law, text="Asked in both")
    only_other = make_question(law, text="Asked elsewhere")
    answer_many(question, quiz, right=1, wrong=3)
    answer_many(question, other, right=4, wrong=0)
    answer_many(only_other, other, right=1, wrong=0)
    annotated = question_statistics.with_figures(Question.objects.all(), quiz=quiz)
    figures = annotated.get(pk=question.pk)
    assert (figures.answered, figures.answered_right, figures.percent_right) == (4, 1, 25.0)
    overall = question_statistics.with_figures(Question.objects.all()).get(pk=question.pk)
    assert (overall.answered, overall.percent_right) == (8, 62.5)

    client.force_login(chief)
    html = client.get(REPORT, {"quiz": quiz.pk}).content.decode()
    assert "25%" in row(html, "Asked in both")
    assert "Asked elsewhere" not in html


def test_the_answers_of_a_deleted_question_do_not_count(client, chief, law, quiz):
    gone = make_question(law, text="Deleted")
    kept = make_question(law, text="Kept")
    answer_many(gone, quiz, right=1, wrong=0)
    answer_many(kept, quiz, right=0, wrong=1)
    gone.delete()
    client.force_login(chief)
    html = client.get(REPORT).content.decode()
    assert "Deleted" not in html and "0%" in row(html, "Kept")


def test_the_report_costs_the_same_queries_however_many_questions(
    client, chief, law, quiz, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(chief)
    first = make_question(law, text="First", topics=["总则"])
    answer_many(first, quiz, right=2, wrong=1)
    client.get(REPORT)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORT)
    for number in range(20):
        question = make_question(law, text=f"Question {number}", topics=["总则", f"t{number}"])
        answer_many(question, quiz, right=number % 3, wrong=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(REPORT).content.decode()
    assert "Question 19" in html


def test_the_report_can_be_downloaded_as_a_spreadsheet(client, chief, law, quiz):
    question = make_question(law, text="Exported")
    answer_many(question, quiz, right=1, wrong=1)
    client.force_login(chief)
    response = client.get(REPORT, {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Exported" in content and "50%" in content


def test_an_editor_without_publish_permission_sees_the_report(client, editor, law, quiz):
    answer_many(make_question(law, text="Seen by editors"), quiz, right=1, wrong=0)
    client.force_login(editor)
    response = client.get(REPORT)
    assert response.status_code == 200 and "Seen by editors" in response.content.decode()


def test_others_do_not(client, outsider):
    client.force_login(outsider)
    assert client.get(REPORT).status_code in (302, 403)
    assert REPORT not in client.get("/admin/").content.decode()
