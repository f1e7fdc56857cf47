"""The law importer: any text, any bytes, uploaded in the admin or given to the command, is a
law or a refusal that names its line; never an error, on either database."""

from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import law.demo
from law import importer
from law.numerals import int_to_chinese
from law.parser import LawTextError, parse

from .strategies import ADVERSARIAL, any_char, binary, bounded, hostile_text

numeral = st.one_of(
    st.integers(1, 4).map(int_to_chinese),
    st.sampled_from(
        ["零", "〇", "一十", "两", "3", "３", "十十", "x", "一百〇五", "九千九百九十九"]
    ),
)
words = st.one_of(hostile_text, st.sampled_from(["总则", "附　　则", "本法自公布之日起施行。"]))
line = st.one_of(
    st.builds(lambda n, kind, t: f"第{n}{kind}　{t}", numeral, st.sampled_from("章节条编"), words),
    st.builds(lambda n, t: f"（{n}）{t}", numeral, words),
    st.sampled_from(["目录", "目　　录", "（", "）", "(2030年通过)"]),
    words,
)


@st.composite
def law_texts(draw):
    """Texts shaped like a law (title, note, headings, articles, items) with hostile parts:
    random text alone would almost never get past the first line."""
    title = draw(st.sampled_from(["中华人民共和国示例法"]) | hostile_text)
    body = draw(st.lists(line, max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028"]))
    return newline.join([title, *body])


@bounded(400)
@given(text=law_texts() | st.text(any_char, max_size=500))
@example(text="中华人民共和国示例法\n第一条　本法\x00施行。")
@example(text="法" * 300 + "\n第一条　本法施行。")
def test_any_text_is_a_law_or_a_refusal_with_its_line(text):
    try:
        parse(text)
    except LawTextError as error:
        assert error.line >= 1 and error.message


@bounded(200)
@given(data=binary | law_texts().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_text_or_refused(data):
    try:
        importer.parsed(importer.read_text(data))
    except importer.ImportRefused as error:
        assert str(error)


pytestmark = pytest.mark.django_db


@bounded(40)
@given(
    text=law_texts(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    publish=st.booleans(),
)
@example(text="中华人民共和国示例法\n第一条　本法\x00施行。", encoding="utf-8", publish=False)
@example(text="法" * 300 + "\n第一条　本法施行。", encoding="utf-8", publish=False)
@example(text="示例法\n（" + "注" * 400 + "）\n第一条　施行。", encoding="utf-8", publish=False)
@example(text="示例法\n第一章　" + "章" * 200 + "\n第一条　施行。", encoding="utf-8", publish=True)
@example(text="中华人民共和国" + "法" * 80 + "\n第一条　施行。", encoding="utf-8", publish=True)
def test_the_command_imports_or_refuses(tmp_path_factory, site_tree, text, encoding, publish):
    path = tmp_path_factory.mktemp("law") / "law.txt"
    path.write_bytes(text.encode(encoding, "replace"))
    try:
        call_command("import_law", str(path), *["--publish"] * publish, stdout=StringIO())
    except CommandError as error:
        assert str(error)


@bounded(40)
@given(
    content=binary | law_texts().map(lambda t: t.encode("utf-8", "replace")),
    pasted=st.sampled_from(["", *ADVERSARIAL[:8]]) | law_texts(),
)
@example(content="示例法\n第一条　本法\x00施行。".encode(), pasted="")
def test_the_admin_import_answers_any_file(admin_client, site_tree, content, pasted):
    page = site_tree.get("law") or site_tree.setdefault("law", law.demo.load())
    response = admin_client.post(
        reverse("law_import", args=[page.pk]),
        {"file": SimpleUploadedFile("law.txt", content), "text": pasted},
    )
    assert response.status_code in (200, 302)
