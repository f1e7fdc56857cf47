"""Where a question's answer is decided: the citation in the reader's language (《反有组织犯罪法》
第二十二条第一款) and the link to that provision's anchor on the law's article page. Questions
cite by number, not by row, so a re-imported law (whose rows are new) still resolves them;
a citation of a provision the live law no longer has is said to be broken."""

from dataclasses import dataclass

from django.utils.translation import get_language

from law.citations import citation
from law.models import LawArticle, LawPage
from law.structure import ITEM
from portal.pagecache.kept import SharedUntilContentChanges


@dataclass
class Cited:
    text: str
    url: str  # "" when the provision is not in the live law
    broken: bool


def _shape(text):
    """[items per paragraph] of an article's text: one paragraph per line, item lines
    (（一）…) belonging to the paragraph before them."""
    paragraphs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if ITEM.match(line) and paragraphs:
            paragraphs[-1] += 1
        else:
            paragraphs.append(0)
    return paragraphs


def resolves(shape, question):
    """Whether the provision the question cites is in an article of this shape (None: the
    article is not in the law)."""
    if shape is None:
        return False
    if question.paragraph is None:
        return True
    if question.paragraph > max(len(shape), 1):
        return False
    if question.item is None:
        return True
    items = shape[question.paragraph - 1] if shape else 0
    return question.item <= items


def shapes(questions):
    """{(law pk, article number): shape} for the articles these questions cite, in one
    query (the live rows: a draft of the law does not count until it is published)."""
    wanted = {(question.law_id, question.article) for question in questions}
    if not wanted:
        return {}
    found = LawArticle.objects.filter(
        page_id__in={law for law, _article in wanted},
        number__in={article for _law, article in wanted},
    ).values_list("page_id", "number", "text")
    return {(law, number): _shape(text) for law, number, text in found if (law, number) in wanted}


def broken(questions):
    """The questions whose provision the live law does not have."""
    questions = list(questions)
    known = shapes(questions)
    return [q for q in questions if not resolves(known.get((q.law_id, q.article)), q)]


def _law(law_id, request):
    """What citing this law needs in the active language: its name for citations, the URL of
    its page in that language, and the shape of each live article. Kept until the content
    changes (publishing the law changes it), so a page of an attempt reads no law."""

    def build():
        law = LawPage.objects.filter(pk=law_id).specific().first()
        if law is None:
            return None
        found = LawArticle.objects.filter(page_id=law_id).values_list("number", "text")
        return {
            "law": law,
            "url": law.localized.get_url(request) or "",
            "shapes": {number: _shape(text) for number, text in found},
        }

    host = request.get_host() if request is not None else ""
    parts = (law_id, get_language(), host)
    return SharedUntilContentChanges("quiz-cited-law", parts).get_or_build(build)


def cite(questions, request=None):
    """{question pk: Cited} in the active language; the link goes to the law page of that
    language when it has one."""
    questions = list(questions)
    laws = {law_id: _law(law_id, request) for law_id in {q.law_id for q in questions}}
    cited = {}
    for question in questions:
        law = laws.get(question.law_id)
        reference = citation(question.article, question.paragraph, question.item)
        text = law["law"].cite(reference) if law else reference
        ok = law is not None and resolves(law["shapes"].get(question.article), question)
        url = ""
        if ok and law["url"]:
            anchor = f"article-{question.article}"
            if question.paragraph is not None:
                anchor += f"-{question.paragraph}"
                if question.item is not None:
                    anchor += f"-{question.item}"
            url = f"{law['url']}article-{question.article}/#{anchor}"
        cited[question.pk] = Cited(text=text, url=url, broken=not ok)
    return cited
