"""The official plain text of a PRC statute, parsed into chapters, sections, articles,
paragraphs (款) and items (项); its numerals are read by law.numerals.

Pure Python on purpose: importers, management commands and tests can use it without a
database, and a text is either accepted whole or refused with the line at fault, so a
half-imported law never reaches the site."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .numerals import chinese_to_int


@dataclass
class Item:
    number: int
    text: str


@dataclass
class Paragraph:
    text: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Article:
    number: int
    paragraphs: list[Paragraph]
    line: int


@dataclass
class Section:
    number: int
    title: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class Chapter:
    number: int
    title: str
    sections: list[Section] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)


@dataclass
class LawText:
    title: str
    note: str
    chapters: list[Chapter] = field(default_factory=list)

    def articles(self) -> list[Article]:
        found = []
        for chapter in self.chapters:
            # Articles before a chapter's first section precede that section in the text.
            found.extend(chapter.articles)
            for section in chapter.sections:
                found.extend(section.articles)
        return found


class LawTextError(ValueError):
    """A text refused as a whole; .line is 1-based, .message says what is wrong there."""

    def __init__(self, line: int, message: str):
        super().__init__(_("Line %(line)s: %(problem)s") % {"line": line, "problem": message})
        self.line = line
        self.message = message

    def __reduce__(self):
        # The default would call the class with the formatted text as its only argument.
        return (type(self), (self.line, self.message))


# Wider than the numerals on purpose: 第3条 or 第三x条 is a heading with a bad number, to be
# refused, not running text. A heading is told from a mention by what follows its marker.
_HEADING = re.compile(
    r"第(?P<number>[零〇一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟0-9０-９A-Za-z]{1,10})"
    r"(?P<kind>编|章|节|条)(?:\s+(?P<rest>.*))?$"
)
_ITEM = re.compile(r"[（(](?P<number>[零〇一二三四五六七八九十百千]{1,6})[）)]\s*(?P<rest>.*)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BETWEEN_CJK = re.compile(r"(?<=[^\x00-\xff])\s+(?=[^\x00-\xff])")

_KINDS = {"编": "part", "章": "chapter", "节": "section", "条": "article"}


# What the page can hold (the title of a Wagtail page, the adoption note, a chapter's or a
# section's title); a longer one is refused here, with its line, not by the database.
TITLE_MAX_LENGTH = 255
NOTE_MAX_LENGTH = 300
HEADING_MAX_LENGTH = 120


def _check_line(content, line):
    """Control characters have no place in a published text (a NUL is refused by PostgreSQL
    outright); a file that has them is not the official text, or is damaged."""
    for char in content:
        if unicodedata.category(char) == "Cc" and not char.isspace():
            raise LawTextError(
                line,
                _("the line contains a control character (U+%(code)s)")
                % {"code": f"{ord(char):04X}"},
            )


def _too_long(message, text, limit, line, **values):
    if len(text) > limit:
        raise LawTextError(line, message % {"limit": limit, **values})


def _title(text):
    # Short official titles are spaced out for layout (总　　则); the spacing is not the title.
    return re.sub(r"\s+", " ", _BETWEEN_CJK.sub("", text)).strip()


def _number(numeral, line):
    try:
        return chinese_to_int(numeral)
    except ValueError:
        raise LawTextError(
            line, _("“%(numeral)s” is not a Chinese numeral") % {"numeral": numeral}
        ) from None


def _classify(text, line):
    """(kind, number, rest): kind is part, chapter, section, article, item or text."""
    if match := _HEADING.match(text):
        return _KINDS[match["kind"]], _number(match["number"], line), match["rest"] or ""
    if match := _ITEM.match(text):
        return "item", _number(match["number"], line), match["rest"]
    return "text", None, text


def _is_contents(text):
    return re.sub(r"\s+", "", text) == "目录"


class _Builder:
    """Takes the body line by line, keeping where it is in the hierarchy."""

    def __init__(self, has_chapters):
        self.has_chapters = has_chapters
        self.chapters = []
        self.chapter = None
        self.chapter_line = None
        self.section = None
        self.section_line = None
        self.article = None
        self.article_count = 0

    def close_article(self):
        if self.article is not None and not self.article.paragraphs:
            raise LawTextError(
                self.article.line,
                _("article %(number)s has no text") % {"number": self.article.number},
            )
        self.article = None

    def close_section(self):
        self.close_article()
        if self.section is not None and not self.section.articles:
            raise LawTextError(
                self.section_line,
                _("section %(number)s of chapter %(chapter)s has no articles")
                % {"number": self.section.number, "chapter": self.chapter.number},
            )
        self.section = None

    def close_chapter(self):
        self.close_section()
        chapter = self.chapter
        if chapter is not None and not chapter.articles and not chapter.sections:
            raise LawTextError(
                self.chapter_line,
                _("chapter %(number)s has no articles") % {"number": chapter.number},
            )

    def add_chapter(self, number, title, line):
        self.close_chapter()
        expected = len(self.chapters) + 1
        if number != expected:
            raise LawTextError(
                line,
                _("expected chapter %(expected)s but found chapter %(found)s")
                % {"expected": expected, "found": number},
            )
        if not title:
            raise LawTextError(line, _("chapter %(number)s has no title") % {"number": number})
        _too_long(
            _("the title of chapter %(number)s is longer than %(limit)s characters"),
            _title(title),
            HEADING_MAX_LENGTH,
            line,
            number=number,
        )
        self.chapter = Chapter(number, _title(title))
        self.chapter_line = line
        self.chapters.append(self.chapter)

    def add_section(self, number, title, line):
        if self.chapter is None or self.chapter.number == 0:
            raise LawTextError(line, _("a section heading must come after a chapter heading"))
        self.close_section()
        expected = len(self.chapter.sections) + 1
        if number != expected:
            raise LawTextError(
                line,
                _("expected section %(expected)s but found section %(found)s")
                % {"expected": expected, "found": number},
            )
        if not title:
            raise LawTextError(line, _("section %(number)s has no title") % {"number": number})
        _too_long(
            _("the title of section %(number)s is longer than %(limit)s characters"),
            _title(title),
            HEADING_MAX_LENGTH,
            line,
            number=number,
        )
        self.section = Section(number, _title(title))
        self.section_line = line
        self.chapter.sections.append(self.section)

    def add_article(self, number, text, line):
        if self.chapter is None:
            if self.has_chapters:
                raise LawTextError(
                    line,
                    _("article %(number)s is outside any chapter, but this law has chapters")
                    % {"number": number},
                )
            self.chapter = Chapter(0, "")
            self.chapters.append(self.chapter)
        self.close_article()
        expected = self.article_count + 1
        if number != expected:
            raise LawTextError(
                line,
                _("expected article %(expected)s but found article %(found)s")
                % {"expected": expected, "found": number},
            )
        self.article_count = number
        self.article = Article(number, [Paragraph(text)] if text else [], line)
        (self.section or self.chapter).articles.append(self.article)

    def add_item(self, number, text, line):
        self.require_article(line)
        if not self.article.paragraphs:
            raise LawTextError(line, _("an item must follow the paragraph it belongs to"))
        items = self.article.paragraphs[-1].items
        expected = len(items) + 1
        if number != expected:
            raise LawTextError(
                line,
                _("expected item %(expected)s but found item %(found)s")
                % {"expected": expected, "found": number},
            )
        if not text:
            raise LawTextError(line, _("item %(number)s has no text") % {"number": number})
        items.append(Item(number, text))

    def add_text(self, text, line):
        self.require_article(line)
        self.article.paragraphs.append(Paragraph(text))

    def require_article(self, line):
        if self.article is not None:
            return
        if self.chapter is None:
            raise LawTextError(
                line,
                _(
                    "only the title, the note and the table of contents may come before "
                    "the first chapter or article"
                ),
            )
        raise LawTextError(line, _("this text is between a heading and its first article"))


def parse(text: str) -> LawText:
    """The whole law, or LawTextError for the first problem found; never a part of it."""
    text = text.removeprefix("\ufeff")
    entries = [
        (number, stripped)
        for number, raw in enumerate(_LINE_BREAK.split(text), start=1)
        if (stripped := raw.strip())
    ]
    if not entries:
        raise LawTextError(1, _("the text is empty"))
    for number, content in entries:
        _check_line(content, number)

    line, title = entries[0]
    if _classify(title, line)[0] != "text" or title[0] in "（(" or _is_contents(title):
        raise LawTextError(line, _("the text must start with the title of the law"))
    _too_long(
        _("the title is longer than %(limit)s characters"), _title(title), TITLE_MAX_LENGTH, line
    )
    position = 1

    note = ""
    if position < len(entries) and entries[position][1][0] in "（(":
        start = entries[position][0]
        lines = []
        while position < len(entries):
            line, content = entries[position]
            # A heading means the closing parenthesis was forgotten, not that the note goes on.
            if lines and _classify(content, line)[0] != "text":
                raise LawTextError(start, _("the note after the title is not closed"))
            lines.append(content)
            position += 1
            if content[-1] in "）)":
                break
        else:
            raise LawTextError(start, _("the note after the title is not closed"))
        note = "\n".join(lines)[1:-1].strip()
        _too_long(
            _("the note after the title is longer than %(limit)s characters"),
            note,
            NOTE_MAX_LENGTH,
            start,
        )

    contents_chapters = False
    if position < len(entries) and _is_contents(entries[position][1]):
        position += 1
        first_chapter = None
        while position < len(entries):
            line, content = entries[position]
            kind, number, _rest = _classify(content, line)
            if kind == "article":
                break
            if kind == "chapter":
                if number == first_chapter:
                    break
                if first_chapter is None:
                    first_chapter = number
            elif kind != "section":
                raise LawTextError(
                    line, _("the table of contents may list only chapter and section headings")
                )
            position += 1
        contents_chapters = first_chapter is not None

    body = entries[position:]
    # Looked for without reading numerals, so that problems are reported in text order.
    has_chapters = contents_chapters or any(
        (match := _HEADING.match(content)) and match["kind"] == "章" for _line, content in body
    )
    builder = _Builder(has_chapters)
    for line, content in body:
        kind, number, rest = _classify(content, line)
        if kind == "part":
            raise LawTextError(line, _("laws divided into parts (编) are not supported"))
        if kind == "chapter":
            builder.add_chapter(number, rest, line)
        elif kind == "section":
            builder.add_section(number, rest, line)
        elif kind == "article":
            builder.add_article(number, rest, line)
        elif kind == "item":
            builder.add_item(number, rest, line)
        else:
            builder.add_text(rest, line)
    builder.close_chapter()
    if not builder.article_count:
        raise LawTextError(entries[-1][0], _("the law has no articles"))
    return LawText(_title(title), note, builder.chapters)
