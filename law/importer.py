"""Putting a parsed official text into a law page: the structure is replaced as a whole, as
a new revision, so editors review it like any other change and can roll it back. Importing
the same text again changes nothing."""

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import Page

from portal.text import decode_text_file

from .models import LawArticle, LawChapter, LawPage, LawSection
from .numerals import int_to_chinese
from .parser import LawTextError, parse


class ImportRefused(Exception):
    pass


def read_text(data):
    """Bytes of an uploaded or given file -> the law's text, or ImportRefused."""
    text = decode_text_file(data)
    if text is None:
        raise ImportRefused(_("The file is not text in UTF-8 or GB18030."))
    return text


def parsed(text):
    try:
        return parse(text)
    except LawTextError as error:
        raise ImportRefused(str(error)) from None


def _rows(law_text):
    chapters, sections, articles = [], [], []
    for chapter in law_text.chapters:
        chapters.append((chapter.number, chapter.title))
        holders = [(0, chapter.articles)]
        for section in chapter.sections:
            sections.append((chapter.number, section.number, section.title))
            holders.append((section.number, section.articles))
        for section_number, held in holders:
            for article in held:
                lines = []
                for paragraph in article.paragraphs:
                    lines.append(paragraph.text)
                    lines += [
                        f"（{int_to_chinese(item.number)}）{item.text}" for item in paragraph.items
                    ]
                articles.append((article.number, chapter.number, section_number, "\n".join(lines)))
    chapters.sort()
    sections.sort()
    articles.sort()
    return chapters, sections, articles


def _current(page):
    # Compared sorted, as _rows gives them: rows stored without a sort order (by earlier
    # imports) come back from PostgreSQL in no fixed order.
    return (
        sorted((c.number, c.title) for c in page.chapters.all()),
        sorted((s.chapter_number, s.number, s.title) for s in page.sections.all()),
        sorted(
            (a.number, a.chapter_number, a.section_number, a.text) for a in page.articles.all()
        ),
    )


@transaction.atomic
def import_into(page, law_text, *, user=None, publish=False):
    """Returns the new revision, or None when the page already holds this text."""
    page = page.get_latest_revision_as_object() if page.pk else page
    chapters, sections, articles = _rows(law_text)
    unchanged = _current(page) == (chapters, sections, articles)
    if law_text.note and page.adoption_note != law_text.note:
        page.adoption_note, unchanged = law_text.note, False
    if unchanged:
        return None
    # Each row with its sort order: the relations are ordered by it, and rows without one
    # come back in whatever order the database finds them.
    page.chapters = [
        LawChapter(number=n, title=t, sort_order=i) for i, (n, t) in enumerate(chapters)
    ]
    page.sections = [
        LawSection(chapter_number=c, number=n, title=t, sort_order=i)
        for i, (c, n, t) in enumerate(sections)
    ]
    page.articles = [
        LawArticle(number=n, chapter_number=c, section_number=s, text=text, sort_order=i)
        for i, (n, c, s, text) in enumerate(articles)
    ]
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return revision


def _free_slug(parent, base):
    taken = set(
        Page.objects.child_of(parent).filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def create_law(parent, law_text, *, user=None, publish=False):
    """A new law page: a draft (not live) until published, here or through moderation."""
    page = LawPage(
        title=law_text.title,
        slug=_free_slug(parent, "law"),
        adoption_note=law_text.note,
        live=False,
        has_unpublished_changes=True,
    )
    short = law_text.title.removeprefix("中华人民共和国")
    # A short title too long for citations is left for the editor to write.
    fits = len(short) <= LawPage._meta.get_field("short_title").max_length
    page.short_title = short if short != law_text.title and fits else ""
    parent.add_child(instance=page)
    import_into(page, law_text, user=user, publish=publish)
    return LawPage.objects.get(pk=page.pk)
