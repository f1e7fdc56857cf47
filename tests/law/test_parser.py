"""The statute parser on small texts laid out like the official ones (fictional wording)."""

import pickle

from django.utils import translation

import pytest

from law.citations import find_references
from law.numerals import int_to_chinese
from law.parser import (
    Article,
    Chapter,
    Item,
    LawText,
    LawTextError,
    Paragraph,
    Section,
    parse,
)


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English whatever the catalogues later translate them to.
    with translation.override("en"):
        yield


SAMPLE = """中华人民共和国示例法

（2030年1月1日某某会议通过）

目　　录
第一章　总　　则
第二章　预防措施
　　第一节　一般规定
　　第二节　特别规定
第三章　附　　则

第一章　总　　则

第一条　为了示例目的，制定本法。
第二条　本法所称示例，是指下列情形：
（一）甲情形；
（二）乙情形；
(三)丙情形。
前款规定的情形，依照本法第五条处理。

第二章　预防措施

第一节　一般规定
第三条
有关部门应当做好示例工作。
第二款的文字。
第四条　示例单位应当履行下列义务：
（一）登记；
（二）报告。
示例单位违反前款规定的，有下列情形之一的，予以处理：
（一）情节较轻的；
（二）情节严重的。

第二节　特别规定
第五条　特别规定的文字。

第三章　附　　则
第六条　本法自2031年1月1日起施行。
"""


def refused(text):
    with pytest.raises(LawTextError) as caught:
        parse(text)
    return caught.value


# Structure ------------------------------------------------------------------------------


def test_sample_with_contents_sections_and_items():
    law = parse(SAMPLE)
    assert law.title == "中华人民共和国示例法"
    assert law.note == "2030年1月1日某某会议通过"
    assert [(c.number, c.title) for c in law.chapters] == [
        (1, "总则"),
        (2, "预防措施"),
        (3, "附则"),
    ]
    general, prevention, final = law.chapters
    assert general.sections == []
    assert [a.number for a in general.articles] == [1, 2]
    assert prevention.articles == []
    assert [(s.number, s.title) for s in prevention.sections] == [
        (1, "一般规定"),
        (2, "特别规定"),
    ]
    assert [a.number for a in prevention.sections[0].articles] == [3, 4]
    assert [a.number for a in law.articles()] == [1, 2, 3, 4, 5, 6]
    assert law.articles()[0] == Article(1, [Paragraph("为了示例目的，制定本法。")], line=14)
    assert general.articles[1] == Article(
        2,
        [
            Paragraph(
                "本法所称示例，是指下列情形：",
                [Item(1, "甲情形；"), Item(2, "乙情形；"), Item(3, "丙情形。")],
            ),
            Paragraph("前款规定的情形，依照本法第五条处理。"),
        ],
        line=15,
    )
    assert final.articles == [Article(6, [Paragraph("本法自2031年1月1日起施行。")], line=38)]


def test_marker_alone_takes_the_following_lines_as_paragraphs():
    third = parse(SAMPLE).chapters[1].sections[0].articles[0]
    assert third == Article(
        3, [Paragraph("有关部门应当做好示例工作。"), Paragraph("第二款的文字。")], line=24
    )


def test_items_restart_for_each_paragraph():
    fourth = parse(SAMPLE).chapters[1].sections[0].articles[1]
    assert [[i.number for i in p.items] for p in fourth.paragraphs] == [[1, 2], [1, 2]]
    assert fourth.paragraphs[1].items[1] == Item(2, "情节严重的。")


def test_crlf_bom_and_surrounding_whitespace_change_nothing():
    messy = "\ufeff" + "\r\n".join(f"  {line}\u3000 " for line in SAMPLE.split("\n"))
    assert parse(messy) == parse(SAMPLE)
    assert parse(SAMPLE.replace("\n", "\r")) == parse(SAMPLE)


def test_ordinary_spaces_separate_markers_too():
    law = parse("示例法\n第一章 总则\n第一条 文字。\n( 一 ) 不是项。\n(一) 项的文字。\n")
    assert law.chapters[0].title == "总则"
    paragraphs = law.chapters[0].articles[0].paragraphs
    assert paragraphs[0].text == "文字。"
    assert paragraphs[1] == Paragraph("( 一 ) 不是项。", [Item(1, "项的文字。")])


def test_law_without_note_or_contents():
    law = parse("示例法\n第一章　总则\n第一条　文字。\n")
    assert law.note == ""
    assert law.chapters == [Chapter(1, "总则", [], [Article(1, [Paragraph("文字。")], 3)])]


def test_law_without_chapters_gets_one_unnamed_chapter():
    law = parse("示例决定\n（某会议通过）\n第一条　一。\n第二条　二。\n（一）项。\n")
    assert [(c.number, c.title) for c in law.chapters] == [(0, "")]
    assert [a.number for a in law.articles()] == [1, 2]
    assert law.chapters[0].sections == []
    assert law.articles()[1].paragraphs[0].items == [Item(1, "项。")]


def test_note_over_several_lines():
    law = parse("示例法\n（2020年某会议通过\n2025年某会议修正）\n第一条　文字。\n")
    assert law.note == "2020年某会议通过\n2025年某会议修正"


def test_half_width_note_parentheses():
    assert parse("示例法\n(某会议通过)\n第一条　文字。\n").note == "某会议通过"


def test_contents_ends_at_the_first_article_when_the_law_has_no_chapters_listed():
    law = parse("示例法\n目录\n第一条　文字。\n")
    assert [a.number for a in law.articles()] == [1]


def test_contents_that_lists_sections():
    law = parse(
        "示例法\n目录\n第一章　甲\n第一节　子\n第二节　丑\n"
        "第一章　甲\n第一节　子\n第一条　一。\n第二节　丑\n第二条　二。\n"
    )
    assert [s.title for s in law.chapters[0].sections] == ["子", "丑"]


def test_sections_restart_in_each_chapter():
    law = parse(
        "示例法\n第一章　甲\n第一节　子\n第一条　一。\n"
        "第二章　乙\n第一节　丑\n第二条　二。\n第二节　寅\n第三条　三。\n"
    )
    assert [[s.number for s in c.sections] for c in law.chapters] == [[1], [1, 2]]


def test_articles_before_the_first_section_stay_on_the_chapter_in_order():
    law = parse("示例法\n第一章　甲\n第一条　一。\n第一节　子\n第二条　二。\n")
    assert [a.number for a in law.chapters[0].articles] == [1]
    assert [a.number for a in law.articles()] == [1, 2]


def test_running_text_that_starts_with_a_mention_is_a_paragraph():
    law = parse("示例法\n第一章　甲\n第一条　一。\n第一条规定的情形除外。\n第二款规定的。\n")
    assert [p.text for p in law.articles()[0].paragraphs] == [
        "一。",
        "第一条规定的情形除外。",
        "第二款规定的。",
    ]


def test_shaped_like_the_anti_organized_crime_law():
    sizes = [6, 8, 10, 9, 11, 8, 9, 12, 4]  # nine chapters, 77 articles in all
    assert sum(sizes) == 77
    lines = ["中华人民共和国示例组织法", "（2030年某会议通过）", "", "目　　录"]
    lines += [f"第{int_to_chinese(n)}章　第{n}章标题" for n in range(1, 10)]
    number = 0
    for chapter, size in enumerate(sizes, start=1):
        lines += ["", f"第{int_to_chinese(chapter)}章　第{chapter}章标题", ""]
        for _ in range(size):
            number += 1
            lines.append(f"第{int_to_chinese(number)}条　第{number}条的文字：")
            lines += ["（一）甲；", "（二）乙。"] if number % 5 == 0 else []
    law = parse("\r\n".join(lines))
    assert len(law.chapters) == 9
    assert [len(c.articles) for c in law.chapters] == sizes
    assert [a.number for a in law.articles()] == list(range(1, 78))
    last = law.articles()[-1]
    assert (last.paragraphs[0].text, last.line) == ("第77条的文字：", len(lines))
    assert law.articles()[74].paragraphs[0].items == [Item(1, "甲；"), Item(2, "乙。")]


# Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\ufeff", "\n \u3000\r\n\r\n"])
def test_empty_text(text):
    error = refused(text)
    assert (error.line, error.message) == (1, "the text is empty")
    assert str(error) == "Line 1: the text is empty"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "示例法\n第一章　甲\n第一条　一。\n第三条　三。\n",
            4,
            "expected article 2 but found article 3",
        ),
        (
            "示例法\n第一章　甲\n第一条　一。\n第二章　乙\n第一条　一。\n",
            5,
            "expected article 2 but found article 1",
        ),
        (
            "示例法\n第一章　甲\n第二条　二。\n",
            3,
            "expected article 1 but found article 2",
        ),
        (
            "示例法\n第一章　甲\n第一条　一。\n第三章　丙\n第二条　二。\n",
            4,
            "expected chapter 2 but found chapter 3",
        ),
        (
            "示例法\n第一章　甲\n第一条　一。\n第一章　甲\n第二条　二。\n",
            4,
            "expected chapter 2 but found chapter 1",
        ),
        (
            "示例法\n第一章　甲\n第二节　丑\n第一条　一。\n",
            3,
            "expected section 1 but found section 2",
        ),
        (
            "示例法\n第一章　甲\n第一节　子\n第一条　一。\n第一节　子\n第二条　二。\n",
            5,
            "expected section 2 but found section 1",
        ),
        (
            "示例法\n第一章　甲\n第一条　下列：\n（一）甲；\n（三）丙。\n",
            5,
            "expected item 2 but found item 3",
        ),
        (
            "示例法\n第一章　甲\n第一条　下列：\n（二）乙。\n",
            4,
            "expected item 1 but found item 2",
        ),
        ("示例法\n第一章　甲\n第三x条　文字。\n", 3, "“三x” is not a Chinese numeral"),
        ("示例法\n第一章　甲\n第3条　文字。\n", 3, "“3” is not a Chinese numeral"),
        ("示例法\n第一十章　甲\n第一条　一。\n", 2, "“一十” is not a Chinese numeral"),
        (
            "示例法\n第一章　甲\n第一条　下列：\n（十十）项。\n",
            4,
            "“十十” is not a Chinese numeral",
        ),
        (
            "示例法\n（某会议通过）\n序言的文字。\n第一章　甲\n第一条　一。\n",
            3,
            "only the title, the note and the table of contents may come before "
            "the first chapter or article",
        ),
        (
            "示例法\n（某会议通过）\n（一）项。\n第一条　一。\n",
            3,
            "only the title, the note and the table of contents may come before "
            "the first chapter or article",
        ),
        (
            "示例法\n第一条　一。\n第一章　甲\n第二条　二。\n",
            2,
            "article 1 is outside any chapter, but this law has chapters",
        ),
        (
            "示例法\n目录\n第一章　甲\n第一条　一。\n",
            4,
            "article 1 is outside any chapter, but this law has chapters",
        ),
        (
            "示例法\n第一章　甲\n第二章　乙\n第一条　一。\n",
            2,
            "chapter 1 has no articles",
        ),
        (
            "示例法\n第一章　甲\n第一条　一。\n第二章　乙\n",
            4,
            "chapter 2 has no articles",
        ),
        (
            "示例法\n第一章　甲\n第一节　子\n第二节　丑\n第一条　一。\n",
            3,
            "section 1 of chapter 1 has no articles",
        ),
        (
            "示例法\n第一节　子\n第一条　一。\n",
            2,
            "a section heading must come after a chapter heading",
        ),
        (
            "示例法\n第一条　一。\n第一节　子\n第二条　二。\n",
            3,
            "a section heading must come after a chapter heading",
        ),
        ("示例法\n第一章\n第一条　一。\n", 2, "chapter 1 has no title"),
        ("示例法\n第一章　甲\n第一节\n第一条　一。\n", 3, "section 1 has no title"),
        ("示例法\n第一章　甲\n第一条\n第二条　二。\n", 3, "article 1 has no text"),
        ("示例法\n第一章　甲\n第一条　一。\n第二条\n", 4, "article 2 has no text"),
        (
            "示例法\n第一章　甲\n第一条\n（一）项。\n",
            4,
            "an item must follow the paragraph it belongs to",
        ),
        ("示例法\n第一章　甲\n第一条　下列：\n（一）\n", 4, "item 1 has no text"),
        (
            "示例法\n第一章　甲\n正文之前的文字。\n第一条　一。\n",
            3,
            "this text is between a heading and its first article",
        ),
        (
            "示例法\n第一章　甲\n第一条　一。\n第一节　子\n（一）项。\n",
            5,
            "this text is between a heading and its first article",
        ),
        ("第一条　一。\n", 1, "the text must start with the title of the law"),
        ("\n\n第一章　甲\n第一条　一。\n", 3, "the text must start with the title of the law"),
        ("（某会议通过）\n第一条　一。\n", 1, "the text must start with the title of the law"),
        ("目录\n第一条　一。\n", 1, "the text must start with the title of the law"),
        (
            "示例法\n（某会议通过\n第一章　甲\n第一条　一。）\n",
            2,
            "the note after the title is not closed",
        ),
        ("示例法\n（某会议通过\n还是说明\n", 2, "the note after the title is not closed"),
        (
            "示例法\n目录\n第一章　甲\n说明文字\n第一章　甲\n第一条　一。\n",
            4,
            "the table of contents may list only chapter and section headings",
        ),
        ("示例法\n（某会议通过）\n目录\n第一章　甲\n", 4, "the law has no articles"),
        ("示例法\n", 1, "the law has no articles"),
        (
            "示例法\n第一编　总则\n第一章　甲\n第一条　一。\n",
            2,
            "laws divided into parts (编) are not supported",
        ),
    ],
)
def test_refusals_name_the_line(text, line, message):
    error = refused(text)
    assert (error.line, error.message) == (line, message)
    assert str(error) == f"Line {line}: {message}"


def test_line_numbers_count_blank_lines_crlf_and_bom():
    error = refused("\ufeff示例法\r\n\r\n第一章　甲\r\n\r\n第一条　一。\r\n\r\n第三条　三。\r\n")
    assert error.line == 7


def test_the_first_problem_in_the_text_is_reported():
    error = refused("示例法\n第一章　甲\n第一条　一。\n第三条　三。\n第五x条　五。\n")
    assert error.line == 4


def test_problem_late_in_the_text_refuses_all_of_it():
    text = SAMPLE.replace("第六条　本法", "第七条　本法")
    error = refused(text)
    assert (error.line, error.message) == (38, "expected article 6 but found article 7")


def test_error_is_a_value_error_and_survives_pickling():
    error = refused("示例法\n第一章　甲\n第一条　一。\n第三条　三。\n")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes, just made)
    assert (copy.line, copy.message, str(copy)) == (error.line, error.message, str(error))


def test_message_formats_in_chinese_too():
    with translation.override("zh-hans"):
        error = LawTextError(3, "x")
    # Whatever the catalogue says, the line and the problem both appear in the text.
    assert "3" in str(error)
    assert "x" in str(error)


def test_references_in_a_parsed_law():
    law = parse(SAMPLE)
    text = law.articles()[1].paragraphs[1].text
    assert [number for *_span, number in find_references(text)] == [5]


def test_dataclasses_compare_and_default():
    assert Paragraph("文字。").items == []
    assert Section(1, "子").articles == []
    assert Chapter(1, "甲").sections == Chapter(1, "甲").articles == []
    assert LawText("示例法", "").articles() == []
