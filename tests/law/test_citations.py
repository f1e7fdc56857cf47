"""Chinese numerals, citations and mentions of a law's own articles in running text."""

import pytest

from law.citations import citation, find_references
from law.numerals import chinese_to_int, int_to_chinese

# Numerals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "numeral"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (77, "七十七"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (120, "一百二十"),
        (294, "二百九十四"),
        (300, "三百"),
        (909, "九百零九"),
        (999, "九百九十九"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (1260, "一千二百六十"),
    ],
)
def test_numerals(number, numeral):
    assert int_to_chinese(number) == numeral
    assert chinese_to_int(numeral) == number


def test_numerals_round_trip():
    for number in range(1, 1000):
        numeral = int_to_chinese(number)
        assert chinese_to_int(numeral) == number
        assert numeral.count("十") <= 1
        assert not numeral.startswith("一十")
    assert len({int_to_chinese(n) for n in range(1, 1000)}) == 999


def test_zero_spellings():
    assert chinese_to_int("零") == 0
    assert chinese_to_int("〇") == 0
    assert chinese_to_int("一百〇五") == 105
    assert chinese_to_int("二百〇九") == 209


@pytest.mark.parametrize(
    "numeral",
    [
        "",
        "x",
        "3",
        "三x",
        "一十",
        "一十五",
        "一百十",
        "十十",
        "二二",
        "百",
        "零五",
        "一百零零五",
        "一百零",
        "一百五",
        "两百",
        "十 一",
        "一万",
        "零零",
    ],
)
def test_not_numerals(numeral):
    with pytest.raises(ValueError):
        chinese_to_int(numeral)


@pytest.mark.parametrize("number", [0, -1, 10000])
def test_int_to_chinese_range(number):
    with pytest.raises(ValueError):
        int_to_chinese(number)


def test_int_to_chinese_wants_an_int():
    with pytest.raises(TypeError):
        int_to_chinese(True)
    with pytest.raises(TypeError):
        int_to_chinese("5")


# Citations ------------------------------------------------------------------------------


def test_citations():
    assert citation(50) == "第五十条"
    assert citation(50, 1) == "第五十条第一款"
    assert citation(50, 1, 3) == "第五十条第一款第（三）项"
    assert citation(12, item=2) == "第十二条第（二）项"
    assert citation(110, 2) == "第一百一十条第二款"


def test_citation_refuses_impossible_numbers():
    with pytest.raises(ValueError):
        citation(0)
    with pytest.raises(ValueError):
        citation(5, 0)


# References -----------------------------------------------------------------------------


def mentions(text):
    return [(text[start:end], number) for start, end, number in find_references(text)]


def test_plain_mentions_with_spans():
    text = "依照第八条和本法第五十一条，以及第二十二条第二款的规定。"
    assert find_references(text) == [(2, 5, 8), (6, 13, 51), (16, 24, 22)]
    assert mentions(text) == [("第八条", 8), ("本法第五十一条", 51), ("第二十二条第二款", 22)]


def test_mentions_with_items_and_lists_of_parts():
    assert mentions("有第十条第一款第（三）项、第（四）项情形的") == [
        ("第十条第一款第（三）项、第（四）项", 10)
    ]
    assert mentions("第十二条第二款、第三款规定") == [("第十二条第二款、第三款", 12)]
    assert mentions("第十二条第(一)项") == [("第十二条第(一)项", 12)]


def test_ranges_give_both_ends():
    assert mentions("第十条至第十二条规定的") == [("第十条", 10), ("第十二条", 12)]


def test_other_laws_are_skipped_with_their_lists():
    text = (
        "依照《中华人民共和国刑法》第二百九十四条第一款的规定；"
        "《刑法》第二十六条、第二十七条和第二十八条及第二十九条；"
        "《示例法》第一条至第三条；"
        "依照本法第四条。"
    )
    assert mentions(text) == [("本法第四条", 4)]


def test_own_law_resumes_after_another_laws_list():
    text = "《刑法》第二十六条、第二十七条的规定，以及第五条、第六条"
    assert mentions(text) == [("第五条", 5), ("第六条", 6)]


def test_this_law_named_inside_another_laws_list():
    text = "《刑法》第二十六条、本法第五条、第六条"
    assert mentions(text) == [("本法第五条", 5), ("第六条", 6)]


def test_title_separated_by_spaces_still_counts():
    assert mentions("《刑法》 第二十六条 、 第二十七条") == []


def test_inserted_articles_are_not_the_article_they_follow():
    assert mentions("第十条之一、第十一条") == [("第十一条", 11)]
    assert mentions("《刑法》第一百二十条之一、第一百二十条之二、第五条") == []


def test_titles_without_mentions_do_not_leak():
    assert mentions("违反《刑法》的，依照第七条") == [("第七条", 7)]


def test_not_article_mentions():
    assert mentions("前款第（一）项、本条第二款、第三章、第二节") == []
    assert mentions("第一十条") == []
