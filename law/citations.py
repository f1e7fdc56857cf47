"""How an article is cited (第五十条第一款第（三）项 in Chinese, Article 50(1)(3) in English),
and where running text cites the law's own articles."""

import re

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .numerals import chinese_to_int, int_to_chinese


def in_chinese() -> bool:
    """Chinese pages cite the way the official texts do; other languages through the
    catalogue's formats."""
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")


def citation(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """第五十条, 第五十条第一款, 第五十条第一款第（三）项 (the item in full-width parentheses);
    in English Article 50, Article 50(1), Article 50(1)(3)."""
    if in_chinese():
        text = f"第{int_to_chinese(article)}条"
        if paragraph is not None:
            text += f"第{int_to_chinese(paragraph)}款"
        if item is not None:
            text += f"第（{int_to_chinese(item)}）项"
        return text
    if item is not None:
        # An article of one paragraph still has its items in that paragraph: (1)(3), so that
        # "Article 8(3)" never reads as a third paragraph.
        return _("Article %(article)s(%(paragraph)s)(%(item)s)") % {
            "article": article,
            "paragraph": paragraph or 1,
            "item": item,
        }
    if paragraph is not None:
        return _("Article %(article)s(%(paragraph)s)") % {
            "article": article,
            "paragraph": paragraph,
        }
    return _("Article %(article)s") % {"article": article}


def law_citation(law: str, cited: str) -> str:
    """《反有组织犯罪法》第二十二条; Anti-Organized Crime Law, Article 22."""
    if in_chinese():
        return f"《{law}》{cited}"
    return _("%(law)s, %(citation)s") % {"law": law, "citation": cited}


_NUMERAL = "[零〇一二三四五六七八九十百千]+"
_PART = rf"第{_NUMERAL}款|第[（(]{_NUMERAL}[）)]项|第{_NUMERAL}项"
_MENTION = re.compile(
    rf"(?P<own>本法)?第(?P<article>{_NUMERAL})条(?P<inserted>之{_NUMERAL})?"
    rf"(?:(?:、|和|及|以及|或者|或|至)?(?:{_PART}))*"
)
# What joins the mentions of one list, so a list opened by another law's title stays with it.
_JOINER = re.compile(r"\s*(?:、|和|及|以及|或者|或|至)\s*")


def _after_title(text, start):
    """Whether a 《…》 title ends right before start (spaces aside)."""
    while start and text[start - 1].isspace():
        start -= 1
    return text[start - 1 : start] == "》"


def find_references(text: str) -> list[tuple[int, int, int]]:
    """(start, end, article) of each mention of this law's own articles in running text.

    A mention right after a 《…》 title, and the mentions listed after it, cite that other
    law; 本法 always means this one, even inside such a list."""
    references = []
    other_law = False
    previous_end = None
    for match in _MENTION.finditer(text):
        start, end = match.span()
        joined = previous_end is not None and _JOINER.fullmatch(text[previous_end:start])
        if match["own"]:
            other_law = False
        elif _after_title(text, start):
            other_law = True
        elif not joined:
            other_law = False
        previous_end = end
        # An inserted article (第十条之一) is not article 10, and parse() never yields one.
        if other_law or match["inserted"]:
            continue
        try:
            number = chinese_to_int(match["article"])
        except ValueError:
            continue
        references.append((start, end, number))
    return references
