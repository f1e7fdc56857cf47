"""The demo law: the real structure of the Anti-Organized Crime Law (its nine chapters and
which of the 77 articles each holds) with short demo wording of our own for a few articles.
The official text is for editors to import (manage.py import_law): we ship no text we did
not write."""

import csv
from datetime import date
from pathlib import Path

from django.db import transaction

from wagtail.models import Locale

from content.models import HomePage

from .models import LawArticle, LawChapter, LawPage, LawVersion

SKELETON = Path(__file__).parent / "data" / "anti_organized_crime_law_skeleton.csv"

TITLE = {"zh-hans": "中华人民共和国反有组织犯罪法", "en": "Anti-Organized Crime Law of the PRC"}
SHORT = {"zh-hans": "反有组织犯罪法", "en": "Anti-Organized Crime Law"}
INTRO = {
    "zh-hans": "<p>本页展示该法的章节结构。<b>演示站点中的条文内容是编写者自拟的简要说明，"
    "不是法律原文</b>；正式文本以全国人民代表大会公布的为准，编辑可用“导入法律文本”功能导入原文。</p>",
    "en": "<p>This page shows the law's structure. <b>On the demo site the article texts are "
    "short summaries written for the demo, not the law's wording</b>; the official text is the "
    "one published by the National People's Congress, and editors can import it.</p>",
}
# Demo wording (ours, not the statute's) for the articles the demo shows.
DEMO_TEXT = {
    "zh-hans": {
        1: "（演示说明）本条说明立法目的：预防和惩治有组织犯罪，维护社会秩序，"
        "保护公民和组织的合法权益。",
        2: "（演示说明）本条界定本法所称的有组织犯罪和恶势力组织。\n"
        "（演示说明）境外黑社会组织在境内发展成员或者实施犯罪的，也适用本法。",
        7: "（演示说明）任何单位和个人都可以向有关机关举报有组织犯罪，有关机关应当为举报人保密，"
        "并依法给予保护和奖励。第八条说明对举报人的保护。",
        8: "（演示说明）对举报、控告和作证的人，有关机关应当依法采取保护措施。",
        50: "（演示说明）国家工作人员有下列行为之一的，应当全面调查，依法处理：\n"
        "（一）组织、领导、参加有组织犯罪活动；\n"
        "（二）为有组织犯罪组织提供帮助；\n"
        "（三）包庇、纵容有组织犯罪；\n"
        "（四）在查办案件中失职渎职；\n"
        "（五）利用职权干预反有组织犯罪工作；\n"
        "（六）其他涉有组织犯罪的违法犯罪行为。\n"
        "（演示说明）有前款第（一）项行为的，依法从重处罚。参见本法第五十二条。",
        52: "（演示说明）办理有组织犯罪案件的工作人员不得隐瞒线索、通风报信或者违法处置涉案财物。",
    },
    "en": {
        1: "(Demo summary) This article states the purpose: to prevent and punish organized "
        "crime and protect the lawful rights of citizens and organizations.",
        7: "(Demo summary) Anyone may report organized crime; the authorities keep reporters' "
        "identities confidential and protect and reward them.",
        50: "(Demo summary) State functionaries who take part in, help, shield or tolerate "
        "organized crime are fully investigated and dealt with according to law.",
    },
}


def _chapters(language):
    with SKELETON.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            title = row["title_zh"] if language == "zh-hans" else row["title_en"]
            yield int(row["chapter"]), title, int(row["first_article"]), int(row["last_article"])


def _fill(page, language):
    page.chapters = [LawChapter(number=n, title=t) for n, t, _first, _last in _chapters(language)]
    page.articles = [
        LawArticle(
            number=number,
            chapter_number=chapter,
            text=DEMO_TEXT[language].get(number, ""),
        )
        for chapter, _title, first, last in _chapters(language)
        for number in range(first, last + 1)
    ]
    page.versions = [LawVersion(date=date(2021, 12, 24), description=_ADOPTED[language])]


_ADOPTED = {
    "zh-hans": "第十三届全国人民代表大会常务委员会第三十二次会议通过，自2022年5月1日起施行",
    "en": "Adopted at the 32nd session of the Standing Committee of the 13th National People's "
    "Congress; in force from 1 May 2022",
}


@transaction.atomic
def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh, depth=2)
    law = LawPage.objects.filter(locale=zh).first()
    if law is None:
        law = LawPage(
            title=TITLE["zh-hans"],
            slug="law",
            short_title=SHORT["zh-hans"],
            promulgated_by="全国人民代表大会常务委员会",
            adoption_note="2021年12月24日第十三届全国人民代表大会常务委员会第三十二次会议通过",
            adopted_on=date(2021, 12, 24),
            in_force_on=date(2022, 5, 1),
            intro=INTRO["zh-hans"],
            show_in_menus=True,
        )
        _fill(law, "zh-hans")
        home.add_child(instance=law)
        law.save_revision().publish()
    if law.get_translation_or_none(en) is None:
        english = law.copy_for_translation(en)
        english.title, english.short_title = TITLE["en"], SHORT["en"]
        english.promulgated_by = "Standing Committee of the National People's Congress"
        english.adoption_note = "Adopted on 24 December 2021"
        english.intro = INTRO["en"]
        _fill(english, "en")
        english.save_revision().publish()
    return law
