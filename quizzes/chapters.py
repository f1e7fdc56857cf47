"""The chapter a question belongs to: the chapter of the article it cites, in the live text
of its law. Derived, never stored, so a re-imported law that moves an article moves its
questions with it."""

from django.db.models import OuterRef, Subquery

from law.models import LawArticle, LawChapter
from law.structure import heading, label


def with_chapter(questions):
    """The questions annotated with `chapter_number` and `chapter_title` (None when the
    cited article is not in the live law)."""
    articles = LawArticle.objects.filter(page_id=OuterRef("law_id"), number=OuterRef("article"))
    chapters = LawChapter.objects.filter(
        page_id=OuterRef("law_id"), number=OuterRef("chapter_number")
    )
    return questions.annotate(
        chapter_number=Subquery(articles.values("chapter_number")[:1])
    ).annotate(chapter_title=Subquery(chapters.values("title")[:1]))


def chapter_text(number, title):
    """第三章　xxx; Chapter 3 …; "" when unknown (or the law has no chapters: 0)."""
    if not number:
        return ""
    return heading(label("章", number), title or "")


def chapter_of(question):
    """The chapter text of one question's cited article (two queries)."""
    if not (question.law_id and question.article):
        return ""
    article = LawArticle.objects.filter(page_id=question.law_id, number=question.article).first()
    if article is None:
        return ""
    chapter = LawChapter.objects.filter(
        page_id=question.law_id, number=article.chapter_number
    ).first()
    return chapter_text(article.chapter_number, chapter.title if chapter else "")
