"""Questions from a spreadsheet: CSV in UTF-8 or GB18030 and real XLSX files, Chinese or
English headers; any bad row refuses the whole file and nothing is created."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.models import Locale, PageLogEntry
from wagtail.models.audit_log import ModelLogEntry

import pytest
from openpyxl import Workbook

from quizzes import importing
from quizzes.models import Question
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
IMPORT = "/admin/quizzes/import/"
HEADER = "题型,题目,选项A,选项B,选项C,选项D,答案,解析,条,款,项,主题\n"
GOOD = HEADER + (
    "单选,示例是什么？,一种情形,没有情形,,,A,第二条规定了示例。,第二条,1,1,总则\n"
    "多选,哪些属于示例？,第一种,第二种,第三种,,ab,第二条列举了情形。,二,第一款,,总则、情形\n"
    "判断,本法自公布之日起施行。,,,,,对,第四条规定了施行日期。,4,,,附则；施行\n"
)


def upload(client, content, name="questions.csv", **data):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **data})


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_gb18030_csv_with_chinese_headers_becomes_drafts(client, chief, law, quiz):
    client.force_login(chief)
    response = upload(client, GOOD.encode("gb18030"))
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert "3 questions imported as drafts." in response.content.decode()
    single, multiple, judged = Question.objects.order_by("pk")
    assert (single.kind, single.article, single.paragraph, single.item) == ("single", 2, 1, 1)
    assert [(o.text, o.correct) for o in single.options.all()] == [
        ("一种情形", True),
        ("没有情形", False),
    ]
    assert [o.correct for o in multiple.options.all()] == [True, True, False]
    assert (multiple.article, multiple.paragraph) == (2, 1)
    assert set(multiple.tags.names()) == {"情形", "总则"}
    assert judged.kind == "true_false" and judged.statement_is_true
    assert not judged.options.exists() and set(judged.tags.names()) == {"施行", "附则"}
    for question in (single, multiple, judged):
        assert not question.live and question.latest_revision is not None
        assert question.law_id == law.pk and question.locale == Locale.get_default()
        assert ModelLogEntry.objects.filter(
            object_id=str(question.pk), action=importing.LOG_ACTION, user=chief
        ).exists()
    assert not quiz.bank().exists()
    assert not PageLogEntry.objects.filter(action=importing.LOG_ACTION).exists()


def test_a_real_xlsx_with_english_headers_is_published_when_asked(client, chief, law, quiz):
    client.force_login(chief)
    content = xlsx(
        [
            ["Kind", "Question", "Option A", "Option B", "Answer", "Explanation", "Article"],
            ["single", "Which one?", "This", "That", "B", "Because.", 3],
            [None, None, None, None, None, None, None],  # a blank row is skipped
            ["true_false", "True?", None, None, True, "Yes.", "第三条"],
        ]
    )
    response = upload(client, content, name="questions.xlsx", publish="on")
    assert "2 questions imported and published." in response.content.decode()
    assert set(quiz.bank().values_list("text", flat=True)) == {"Which one?", "True?"}
    which = Question.objects.get(text="Which one?")
    assert [o.correct for o in which.options.all()] == [False, True]
    assert Question.objects.get(text="True?").statement_is_true


def test_an_editor_without_publish_permission_only_makes_drafts(client, editor, law, quiz):
    client.force_login(editor)
    form = client.get(IMPORT).content.decode()
    assert 'name="publish"' not in form and "Import questions" in form
    response = upload(client, GOOD.encode(), publish="on")
    assert "3 questions imported as drafts." in response.content.decode()
    assert Question.objects.count() == 3 and not Question.objects.filter(live=True).exists()


def test_the_listing_offers_the_import_to_those_who_may_add(client, chief, editor, law):
    client.force_login(editor)
    assert IMPORT in client.get("/admin/snippets/quizzes/question/").content.decode()


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            "单选,问题,甲,乙,,,E,解析,2,,,\n",
            ["Row 2: the answer E is not one of the options."],
        ),
        (
            "单选,问题,甲,乙,,,AB,解析,2,,,\n",
            ["Row 2: a single-choice question has exactly one right option; this one has 2."],
        ),
        ("多选,问题,甲,,,,A,解析,2,,,\n", ["Row 2: a choice question has from 2 to 6 options"]),
        (
            "判断,问题,甲,乙,,,对,解析,2,,,\n",
            ["Row 2: a true-or-false question has no options"],
        ),
        ("判断,问题,,,,,也许,解析,2,,,\n", ["Row 2: the answer “也许” is not 对 or 错"]),
        ("填空,问题,甲,乙,,,A,解析,2,,,\n", ["Row 2: the kind “填空” is not single"]),
        (
            "单选,,甲,乙,,,A,,,,,\n",
            ["Row 2: the question is empty; the explanation is empty; the article is empty."],
        ),
        ("单选,问题,甲,乙,,,A,解析,第九条,,,\n", ["Row 2: 示例法, Article 9 is not in the"]),
        ("单选,问题,甲,乙,,,A,解析,2,,3,\n", ["Row 2: an item is cited within its paragraph"]),
        ("单选,问题,甲,乙,,,A,解析,2,1,三,\n", ["Row 2: 示例法, Article 2(1)(3) is not in"]),
        ("单选,问题,甲,乙,,,A,解析,二十x,,,\n", ["Row 2: the article “二十x” is not a number"]),
        ("单选,问题,甲,乙,,,A,解析,2,100,,\n", ["Row 2: the paragraph 100 is too large"]),
        (
            "单选,问题,甲,乙,,,A,解析,2,,,\n单选,问题,甲,乙,,,Z,解析,2,,,\n\n判断,问题,,,,,错,解析,77,,,\n",
            [
                "Row 3: the answer Z is not one of the options.",
                "Row 5: 示例法, Article 77 is not in the published text of the law.",
            ],
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_created(client, chief, law, rows, messages):
    client.force_login(chief)
    response = upload(client, (HEADER + rows).encode())
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "Nothing was imported." in html
    for message in messages:
        assert message in html, message
    assert not Question.objects.exists()


def test_one_bad_row_among_good_ones_refuses_the_file(client, chief, law):
    client.force_login(chief)
    response = upload(client, (GOOD + "单选,问题,甲,乙,,,E,解析,2,,,\n").encode())
    assert "Row 5: the answer E is not one of the options." in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "x.csv", "not text in UTF-8 or GB18030"),
        (b"PK\x03\x04 not really a zip", "x.xlsx", "not an XLSX workbook"),
        (b"kind,question\n", "x.xls", "(XLS) is not read"),
        (GOOD.encode() + b"x" * (1024 * 1024), "x.csv", "larger than 1 MB"),
        (b"kind,question\nsingle,q\n", "x.csv", "missing: answer, explanation, article"),
        (HEADER.encode(), "x.csv", "a header but no rows"),
        (b"\n\n", "x.csv", "The file is empty."),
        (
            (HEADER + "单选,问题,甲,乙,,,A,解析,2,,,\n" * 1001).encode(),
            "x.csv",
            "At most 1000 questions at a time.",
        ),
    ],
)
def test_files_that_cannot_be_read_are_refused(client, chief, law, content, name, message):
    client.force_login(chief)
    response = upload(client, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_a_sheet_with_too_many_rows_is_refused_not_cut(client, chief, law):
    good = ["单选", "问题", "甲", "乙", "A", "解析", 2]
    header = ["题型", "题目", "选项A", "选项B", "答案", "解析", "条"]
    blank = [None] * 7
    client.force_login(chief)
    response = upload(client, xlsx([header, good, *[blank] * 2100, good]), name="x.xlsx")
    assert "The sheet has more than 2001 rows, blank ones included." in response.content.decode()
    response = upload(client, xlsx([header, *[good] * 1001]), name="x.xlsx")
    assert "At most 1000 questions at a time." in response.content.decode()
    assert not Question.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(client, chief, law):
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "not a sheet")
    client.force_login(chief)
    response = upload(client, archive.getvalue(), name="x.xlsx")
    assert "not an XLSX workbook" in response.content.decode()


def test_the_law_is_chosen_when_the_language_has_several(client, chief, law, site_tree):
    from law.importer import create_law, parsed

    from .bank_helpers import LAW_TEXT

    other = create_law(site_tree["home"], parsed(LAW_TEXT), publish=True)
    client.force_login(chief)
    response = upload(client, GOOD.encode())
    assert "Choose the law: this language has 2 laws." in response.content.decode()
    assert not Question.objects.exists()
    response = upload(client, GOOD.encode(), law=other.pk)
    assert "3 questions imported as drafts." in response.content.decode()
    assert set(Question.objects.values_list("law_id", flat=True)) == {other.pk}


def test_a_law_of_another_language_is_refused(client, chief, law):
    english = Locale.objects.get(language_code="en")
    client.force_login(chief)
    response = upload(client, GOOD.encode(), law=law.pk, locale=english.pk)
    assert "This law is in another language than the questions." in response.content.decode()
    assert not Question.objects.exists()


def test_the_import_needs_the_add_permission(client, outsider, law):
    client.force_login(outsider)
    assert upload(client, GOOD.encode()).status_code in (302, 403)
    assert not Question.objects.exists()


def test_the_sample_file_imports_against_the_shipped_law(client, chief, site_tree):
    import law.demo

    shipped = law.demo.load()
    sample = ROOT / "docs" / "quizzes-question-import-sample.csv"
    client.force_login(chief)
    response = upload(client, sample.read_bytes(), law=shipped.pk)
    assert "3 questions imported as drafts." in response.content.decode()
    multiple = Question.objects.get(kind="multiple")
    assert (multiple.article, multiple.paragraph) == (22, 2)
    assert [o.correct for o in multiple.options.all()] == [True, True, True, False]


def test_formulas_are_refused_in_a_workbook_and_in_a_csv(client, chief, law):
    header = ["题型", "题目", "选项A", "选项B", "答案", "解析", "条"]
    client.force_login(chief)
    formula = ["单选", "问题", "=1+1", "乙", "A", "解析", 2]
    response = upload(client, xlsx([header, formula]), name="x.xlsx")
    assert response.status_code == 400
    assert "Row 2: a cell begins with =, +, @ or a tab" in response.content.decode()
    csv = HEADER + '单选,"=HYPERLINK(""http://example.com"")",甲,乙,,,A,解析,2,,,\n'
    response = upload(client, csv.encode())
    assert "Row 2: a cell begins with =, +, @ or a tab" in response.content.decode()
    assert not Question.objects.exists()


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(client, chief, law):
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/sharedStrings.xml", b"<si><t>x</t></si>" * 2_000_000)
    assert len(archive.getvalue()) < importing.MAX_BYTES
    client.force_login(chief)
    response = upload(client, archive.getvalue(), name="x.xlsx")
    assert response.status_code == 400
    assert "unpacks to more than 20 MB" in response.content.decode()
