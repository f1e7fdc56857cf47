"""Importing the official text: the command and the service, good and refused input."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import translation

import pytest

import law.demo
from law.models import LawPage

pytestmark = pytest.mark.django_db

TEXT = """\ufeff中华人民共和国示例法
（2030年1月1日示例会议通过）
目　　录
第一章　总　　则
第二章　附　　则
第一章　总　　则
第一条　为了示例，制定本法。
第二条　本法所称示例，是指下列情形：
（一）第一种情形；
（二）第二种情形。
前款规定的情形，适用第一条。
第二章　附　　则
第三条　本法自公布之日起施行。
"""


def write(tmp_path, text, name="law.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_the_command_creates_a_law_and_a_second_run_changes_nothing(tmp_path, site_tree):
    out = StringIO()
    call_command("import_law", write(tmp_path, TEXT), "--publish", stdout=out)
    page = LawPage.objects.get(title="中华人民共和国示例法")
    assert page.live
    assert page.adoption_note == "2030年1月1日示例会议通过"
    assert [chapter.number for chapter in page.chapters.all()] == [1, 2]
    second = page.articles.get(number=2)
    assert second.text.splitlines() == [
        "本法所称示例，是指下列情形：",
        "（一）第一种情形；",
        "（二）第二种情形。",
        "前款规定的情形，适用第一条。",
    ]
    revisions = page.revisions.count()
    again = StringIO()
    call_command("import_law", write(tmp_path, TEXT), "--publish", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert page.revisions.count() == revisions


def test_an_import_into_a_live_law_is_a_draft_until_published(tmp_path, site_tree):
    page = law.demo.load()
    out = StringIO()
    call_command("import_law", write(tmp_path, TEXT), "--page", str(page.pk), stdout=out)
    page.refresh_from_db()
    assert page.has_unpublished_changes
    assert page.articles.count() == 77  # the live structure is untouched
    draft = page.get_latest_revision_as_object()
    assert [article.number for article in draft.articles.all()] == [1, 2, 3]


def test_a_gb18030_file_is_read(tmp_path, site_tree):
    call_command("import_law", write(tmp_path, TEXT, encoding="gb18030"), stdout=StringIO())
    assert LawPage.objects.filter(title="中华人民共和国示例法").exists()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (TEXT.replace("第二条　本法所称", "第四条　本法所称"), 8),  # a skipped article number
        (TEXT.replace("第二章　附　　则\n第三条", "第三章　附　　则\n第三条"), 12),
        (TEXT.replace("第三条　本法自", "第三x条　本法自"), 13),
    ],
)
def test_malformed_text_is_refused_with_its_line_and_nothing_changes(
    tmp_path, site_tree, text, line
):
    page = law.demo.load()
    revisions = page.revisions.count()
    with translation.override("zh-hans"), pytest.raises(CommandError, match=f"第 {line} 行："):
        call_command(
            "import_law", write(tmp_path, text), "--page", str(page.pk), stdout=StringIO()
        )
    assert page.revisions.count() == revisions
    assert not LawPage.objects.filter(title="中华人民共和国示例法").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/file.txt"], "No such file"),
        (["__FILE__", "--page", "999999"], "No law page has the id 999999"),
    ],
)
def test_bad_arguments_are_explained(tmp_path, site_tree, args, message):
    args = [write(tmp_path, TEXT) if arg == "__FILE__" else arg for arg in args]
    with pytest.raises(CommandError, match=message):
        call_command("import_law", *args, stdout=StringIO())


def test_a_binary_file_is_refused(tmp_path, site_tree):
    path = tmp_path / "law.pdf"
    path.write_bytes(b"%PDF-1.7\x00\xff\xfe\x00" * 50)
    with pytest.raises(CommandError):
        call_command("import_law", str(path), stdout=StringIO())


def test_a_new_law_imported_without_publishing_is_a_draft(tmp_path, site_tree, client):
    call_command("import_law", write(tmp_path, TEXT), stdout=StringIO())
    page = LawPage.objects.get(title="中华人民共和国示例法")
    assert not page.live
    assert client.get("/law/").status_code == 404
    draft = page.get_latest_revision_as_object()
    assert [article.number for article in draft.articles.all()] == [1, 2, 3]


def test_a_second_law_gets_its_own_address(tmp_path, site_tree):
    law.demo.load()
    call_command("import_law", write(tmp_path, TEXT), "--publish", stdout=StringIO())
    page = LawPage.objects.get(title="中华人民共和国示例法")
    assert page.slug == "law-2" and page.live


# Each of these was a server error on PostgreSQL (a NUL it refuses, a value longer than its
# column), found by the hostile-input tests (tests/hostile/test_law_import.py).
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TEXT.replace("第三条　本法自", "第三条　本法\x00自"),
            "Line 13: the line contains a control",
        ),
        (TEXT.replace("前款", "前\x07款"), "Line 11: the line contains a control character"),
        ("法" * 256 + "\n第一条　施行。\n", "Line 1: the title is longer than 255"),
        ("示例法\n（" + "注" * 301 + "）\n第一条　施行。\n", "Line 2: the note after the title"),
        ("示例法\n第一章　" + "章" * 121 + "\n第一条　施行。\n", "Line 2: the title of chapter 1"),
        (
            "示例法\n第一章　总则\n第一节　" + "节" * 121 + "\n第一条　施行。\n",
            "Line 3: the title of section 1",
        ),
    ],
)
def test_text_the_page_cannot_hold_is_refused_with_its_line(tmp_path, site_tree, text, message):
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("import_law", write(tmp_path, text), "--publish", stdout=StringIO())
    assert not LawPage.objects.exists()


def test_a_title_too_long_to_cite_leaves_the_short_title_to_the_editor(tmp_path, site_tree):
    title = "中华人民共和国" + "示例" * 40 + "法"
    call_command("import_law", write(tmp_path, f"{title}\n第一条　施行。\n"), stdout=StringIO())
    page = LawPage.objects.get(title=title)
    assert page.short_title == ""
