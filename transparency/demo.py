"""The demo's statistics page in both languages, with the milestone figures of the national
anti-gang office's published work report (facts), and its first snapshot of live figures: the
reporting demo's few dozen clues leave most kinds and provinces below the threshold, so a
newcomer sees figures published and suppressed side by side (tests hold that). Its table by
channel is suppressed throughout: the web form's figures would give away the two poster
clues by subtraction (docs/statistics.md)."""

from wagtail.models import Locale, Page

from . import services
from .models import StatisticsPage

SOURCE_ZH = "全国扫黑办通报的 2022 年工作情况"
SOURCE_EN = "National Anti-Gang Office, 2022 work report"
MILESTONES = [
    (
        "5,100+",
        "有效涉黑涉恶线索，已全部下发核查",
        "valid clues of gang crime, all sent for verification",
    ),
    ("357", "线索核查属实", "clues verified as true"),
    ("15.3%", "线索总体成案率", "overall case rate of the clues"),
    ("712", "抓获目标逃犯", "target fugitives arrested"),
    ("85.8%", "目标逃犯到案率", "of the target fugitives arrested"),
]
PAGE = {
    "zh": {
        "title": "数据公开",
        "intro": "<p>本平台收到和办理举报线索的情况，以及全国扫黑办公布的工作数据。</p>",
        "milestones": [
            ("figure", {"figure": figure, "label": zh, "source": SOURCE_ZH})
            for figure, zh, _en in MILESTONES
        ],
    },
    "en": {
        "title": "Open figures",
        "intro": "<p>How the clues received by this portal were handled, and the figures "
        "published by the National Anti-Gang Office.</p>",
        "milestones": [
            ("figure", {"figure": figure, "label": en, "source": SOURCE_EN})
            for figure, _zh, en in MILESTONES
        ],
    },
}


def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = Page.objects.get(locale=zh, depth=2)
    page = StatisticsPage.objects.child_of(home).first()
    if page is None:
        page = StatisticsPage(slug="figures", **PAGE["zh"])
        home.add_child(instance=page)
        page.save_revision().publish()
    if page.get_translation_or_none(en) is None:
        english = page.copy_for_translation(en)
        for field, value in PAGE["en"].items():
            setattr(english, field, value)
        english.save_revision().publish()
    return page


def refresh():
    """The first figures, so the page shows them before the worker's first round."""
    return services.refresh(force=True)
