"""The demo law: the official text of the Anti-Organized Crime Law (a public document, shipped
in law/data/), loaded through `manage.py import_law` as an editor would, and its English
translation, which has English chapter titles over the Chinese text (there is no official
English text of the articles)."""

import csv
from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

from wagtail.models import Locale

from .models import LawArticle, LawChapter, LawPage, LawSection, LawVersion

DATA = Path(__file__).parent / "data"
OFFICIAL_TEXT = DATA / "anti-organized-crime-law.zh.txt"
HEADINGS_EN = DATA / "anti-organized-crime-law.headings.en.csv"

TITLE = {"zh-hans": "中华人民共和国反有组织犯罪法", "en": "Anti-Organized Crime Law of the PRC"}
SHORT = {"zh-hans": "反有组织犯罪法", "en": "Anti-Organized Crime Law"}
INTRO = {
    "zh-hans": "<p>本页收录该法全文，可按章查看，每一条都有自己的页面和引用方式。</p>",
    "en": "<p>The chapter titles are translated into English; the articles are shown in the "
    "official Chinese text, as there is no official English translation.</p>",
}
# What earlier demo databases say: replaced, as it described summaries the demo no longer has.
_OLD_INTRO_START = {"zh-hans": "<p>本页展示该法的章节结构。", "en": "<p>This page shows the law's"}
_ADOPTED = {
    "zh-hans": "第十三届全国人民代表大会常务委员会第三十二次会议通过，自2022年5月1日起施行",
    "en": "Adopted at the 32nd session of the Standing Committee of the 13th National People's "
    "Congress; in force from 1 May 2022",
}


def english_chapter_titles():
    """{chapter number: (Chinese title, English title)} from the shipped headings file."""
    with HEADINGS_EN.open(encoding="utf-8") as rows:
        return {
            int(row["chapter"]): (row["title_zh"], row["title_en"]) for row in csv.DictReader(rows)
        }


def _describe(page, language):
    """Intro and version history where missing or out of date; whether anything changed."""
    changed = False
    if not page.intro or page.intro.startswith(_OLD_INTRO_START[language]):
        page.intro, changed = INTRO[language], True
    if not page.versions.all():
        page.versions = [LawVersion(date=date(2021, 12, 24), description=_ADOPTED[language])]
        changed = True
    return changed


def _chinese_law(zh):
    # The command updates the Chinese law page with the text's title, or makes one; run
    # again, it changes nothing. Its progress line is not part of the demo's output.
    call_command("import_law", str(OFFICIAL_TEXT), publish=True, stdout=StringIO())
    law = LawPage.objects.get(locale=zh, title=TITLE["zh-hans"])
    changed = not (law.short_title and law.show_in_menus and law.promulgated_by)
    if changed:
        # The importer leaves a long title's short form to a person; the demo's is known.
        law.short_title = law.short_title or SHORT["zh-hans"]
        law.show_in_menus = True
        law.promulgated_by = "全国人民代表大会常务委员会"
        law.adopted_on, law.in_force_on = date(2021, 12, 24), date(2022, 5, 1)
    if _describe(law, "zh-hans") or changed:
        law.save_revision().publish()
    return law


def _english_structure(english, chinese):
    """The Chinese page's articles, under the English chapter titles."""
    titles = english_chapter_titles()
    # With their sort order, as the importer writes them (law/importer.py).
    english.chapters = [
        LawChapter(number=c.number, title=titles.get(c.number, ("", c.title))[1], sort_order=i)
        for i, c in enumerate(chinese.chapters.order_by("number"))
    ]
    english.sections = [
        LawSection(chapter_number=s.chapter_number, number=s.number, title=s.title, sort_order=i)
        for i, s in enumerate(chinese.sections.order_by("chapter_number", "number"))
    ]
    english.articles = [
        LawArticle(
            number=a.number,
            chapter_number=a.chapter_number,
            section_number=a.section_number,
            text=a.text,
            sort_order=i,
        )
        for i, a in enumerate(chinese.articles.order_by("number"))
    ]


def _same_text(english, chinese):
    def articles(page):
        return sorted((a.number, a.chapter_number, a.text) for a in page.articles.all())

    return articles(english) == articles(chinese)


@transaction.atomic
def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    law = _chinese_law(zh)
    english = law.get_translation_or_none(en)
    if english is None:
        english = law.copy_for_translation(en)
        english.title, english.short_title = TITLE["en"], SHORT["en"]
        english.promulgated_by = "Standing Committee of the National People's Congress"
        english.adoption_note = "Adopted on 24 December 2021"
        english.intro = INTRO["en"]
        english.versions = []
    elif _same_text(english, law) and not english.intro.startswith(_OLD_INTRO_START["en"]):
        return law
    _describe(english, "en")
    _english_structure(english, law)
    english.save_revision().publish()
    return law
