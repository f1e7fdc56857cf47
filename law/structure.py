"""The law's structure as templates need it: chapters, sections and articles with their
paragraphs (款) and items (项), anchors, citations in the Chinese form, and mentions of the
law's own articles turned into links. Three queries whatever the length of the law."""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .citations import citation, find_references, in_chinese, law_citation
from .numerals import chinese_to_int, int_to_chinese

ITEM = re.compile(r"^\s*[（(]([〇零一二三四五六七八九十百]+)[）)]\s*(.*)$")


@dataclass
class ItemView:
    number: int
    marker: str
    html: str
    citation: str
    anchor: str


@dataclass
class ParagraphView:
    number: int
    html: str
    citation: str
    anchor: str
    items: list = field(default_factory=list)


@dataclass
class ArticleView:
    number: int
    chapter_number: int
    label: str
    anchor: str
    url: str
    citation: str
    full_citation: str
    paragraphs: list
    # The text is Chinese while the page is not: said to screen readers and to the browser.
    lang: str = ""


@dataclass
class SectionView:
    number: int
    label: str
    title: str
    anchor: str
    articles: list = field(default_factory=list)

    @property
    def heading(self):
        return heading(self.label, self.title)


@dataclass
class ChapterView:
    number: int
    label: str
    title: str
    anchor: str
    sections: list = field(default_factory=list)
    articles: list = field(default_factory=list)

    @property
    def heading(self):
        return heading(self.label, self.title)

    def all_articles(self):
        return self.articles + [a for section in self.sections for a in section.articles]


def _numeral_or_none(numeral):
    try:
        return chinese_to_int(numeral) or None
    except ValueError:
        return None


_ENGLISH = {
    "章": lambda number: _("Chapter %(number)s") % {"number": number},
    "节": lambda number: _("Section %(number)s") % {"number": number},
    "条": lambda number: _("Article %(article)s") % {"article": number},
}


def label(kind, number):
    """第五十条, 第二章, 第一节: in Arabic figures where a number has no Chinese numeral;
    Article 50, Chapter 2, Section 1 in English."""
    if not in_chinese():
        return _ENGLISH[kind](number)
    try:
        return f"第{int_to_chinese(number)}{kind}"
    except (TypeError, ValueError):
        return f"第{number}{kind}"


def heading(number_label, title):
    """第一章　总则 (an ideographic space, as the official texts print it); Chapter 1 General
    Provisions."""
    if not number_label:
        return title
    if not title:
        return number_label
    return f"{number_label}{'　' if in_chinese() else ' '}{title}"


def linked(text, numbers, base):
    """Escape the text and link every mention of one of this law's articles in it."""
    parts, position = [], 0
    for start, end, number in find_references(text):
        if number not in numbers:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<a href="{base}#article-{number}">{escape(text[start:end])}</a>')
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # nosec B308 B703 # noqa: S308 (every piece of text is escaped above)


def paragraphs_of(article, numbers, base):
    paragraphs = []
    for line in article.text.splitlines():
        if not line.strip():
            continue
        match = ITEM.match(line)
        number = _numeral_or_none(match.group(1)) if match else None
        if number and paragraphs:
            paragraphs[-1].items.append((number, match.group(2)))
        else:
            # Not an item an editor meant, or one with a numeral we cannot read: shown as the
            # line it is rather than taking the law's page down.
            paragraphs.append(ParagraphView(len(paragraphs) + 1, line.strip(), "", ""))
    single = len(paragraphs) == 1
    for paragraph in paragraphs:
        paragraph_number = None if single else paragraph.number
        paragraph.citation = citation(article.number, paragraph_number)
        paragraph.anchor = f"article-{article.number}-{paragraph.number}"
        paragraph.html = linked(paragraph.html, numbers, base)
        paragraph.items = [
            ItemView(
                number=number,
                marker=f"（{int_to_chinese(number)}）",
                html=linked(text, numbers, base),
                citation=citation(article.number, paragraph_number, number),
                anchor=f"{paragraph.anchor}-{number}",
            )
            for number, text in paragraph.items
        ]
    return paragraphs


_CJK = re.compile(r"[\u3400-\u9fff]")


def _article_view(page_url, law_name, article, numbers, base):
    cited = citation(article.number)
    return ArticleView(
        number=article.number,
        chapter_number=article.chapter_number,
        label=label("条", article.number),
        anchor=f"article-{article.number}",
        url=f"{page_url}article-{article.number}/",
        citation=cited,
        full_citation=law_citation(law_name, cited),
        paragraphs=paragraphs_of(article, numbers, base),
        lang="zh-Hans" if not in_chinese() and _CJK.search(article.text) else "",
    )


def law_name(page):
    return page.short_title or page.title


def rendered_article(page, article, numbers, *, on_own_page=False):
    """One article, its mentions of the law's other articles (`numbers`) linked."""
    return _article_view(
        page.url, law_name(page), article, numbers, page.url if on_own_page else ""
    )


def _chapter_view(number, title):
    return ChapterView(
        number=number,
        label=label("章", number) if number else "",
        title=title,
        anchor=f"chapter-{number}",
    )


def chapter_of(page, number):
    """The chapter numbered `number`, or None: one query."""
    chapter = page.chapters.filter(number=number).first()
    return _chapter_view(chapter.number, chapter.title) if chapter else None


def outline(page):
    articles = list(page.articles.order_by("number"))
    numbers = {article.number for article in articles}
    page_url = page.url
    name = law_name(page)
    chapters = [
        _chapter_view(chapter.number, chapter.title)
        for chapter in page.chapters.order_by("number")
    ]
    by_number = {chapter.number: chapter for chapter in chapters}
    sections = {}
    for section in page.sections.order_by("chapter_number", "number"):
        chapter = by_number.get(section.chapter_number)
        if chapter is None:
            continue
        view = SectionView(
            number=section.number,
            label=label("节", section.number),
            title=section.title,
            anchor=f"chapter-{chapter.number}-section-{section.number}",
        )
        chapter.sections.append(view)
        sections[(chapter.number, section.number)] = view
    for article in articles:
        view = _article_view(page_url, name, article, numbers, "")
        holder = sections.get((article.chapter_number, article.section_number))
        if holder is None:
            holder = by_number.get(article.chapter_number)
        if holder is None:
            # An article whose chapter is missing is still shown, at the end.
            holder = by_number.setdefault(
                -1, ChapterView(number=-1, label="", title="", anchor="chapter-other")
            )
            if holder not in chapters:
                chapters.append(holder)
        holder.articles.append(view)
    return chapters
