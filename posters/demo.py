"""Demo posters: a fictional campaign in Tangshan with a few entry points, some scans and two
clues that came in through one of them, so the figures have something to show."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from wagtail.models import Page

from fugitives.models import NoticePage
from reporting.factories import ClueFactory
from reporting.lifecycle import review as workflow
from reporting.models import Category, Clue, Region

from .models import Campaign, EntryPoint, ScanDay

CAMPAIGN = "（示例）唐山市扫黑除恶宣传月"
# Fixed codes, so the README and a newcomer can type them: /r/TSMKT2/ and so on.
ENTRY_POINTS = [
    (
        "TSMKT2",
        "路北区菜市场",
        "（示例）路北区某菜市场东门公告栏",
        "market-bullies",
        "130203",
    ),
    ("TSBUS3", "火车站公交站", "（示例）唐山站公交站候车亭", "", "130200"),
    ("TSUNI4", "大学城", "（示例）某大学食堂门口宣传栏", "campus-minors", "130200"),
    ("TSSITE", "建筑工地", "（示例）某在建小区工地围挡", "engineering-construction", "130203"),
]
RETIRED = ("TSOLD9", "旧海报（已停用）", "（示例）2025年张贴于某商场，已撤下")
HOME_PAGE = ("TSHOME", "社区宣传单", "（示例）社区宣传单背面，链接到网站首页")
# The printed poster of the demo's wanted notice (fugitives.demo): it opens the notice page.
NOTICE_POSTER = ("TSWNT5", "悬赏通告海报", "（示例）路北区某派出所门前公告栏")
NOTICE_SLUG = "example-2026-01"


@transaction.atomic
def load(people):
    campaign, _ = Campaign.objects.get_or_create(
        name=CAMPAIGN,
        defaults={
            "description": "（示例，虚构）在市场、车站、校园和工地张贴举报二维码海报。",
            "starts_on": timezone.localdate() - timedelta(days=20),
            "ends_on": timezone.localdate() + timedelta(days=10),
        },
    )
    categories = {category.slug: category for category in Category.objects.all()}
    for code, name, location, category, region in ENTRY_POINTS:
        EntryPoint.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "location": location,
                "campaign": campaign,
                "category": categories.get(category),
                "region": Region.objects.filter(code=region).first(),
            },
        )
    code, name, location = RETIRED
    EntryPoint.objects.get_or_create(
        code=code, defaults={"name": name, "location": location, "active": False}
    )
    code, name, location = HOME_PAGE
    home = Page.objects.filter(depth=2, locale__language_code="zh-hans").first()
    EntryPoint.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "location": location,
            "campaign": campaign,
            "target": EntryPoint.Target.PAGE,
            "page": home,
        },
    )
    _notice_poster(campaign)
    _scans(campaign)
    _clues(people)


def _notice_poster(campaign):
    code, name, location = NOTICE_POSTER
    notice = NoticePage.objects.filter(
        slug=NOTICE_SLUG, locale__language_code="zh-hans", status=NoticePage.Status.WANTED
    ).first()
    if notice is None:
        return
    EntryPoint.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "location": location,
            "campaign": campaign,
            "target": EntryPoint.Target.PAGE,
            "page": notice,
        },
    )


def _scans(campaign):
    if ScanDay.objects.filter(entry_point__campaign=campaign).exists():
        return
    generator = random.Random(2026)  # nosec B311 # noqa: S311 (demo figures, the same on every machine)
    today = timezone.localdate()
    rows = []
    for weight, entry_point in enumerate(campaign.entry_points.order_by("code"), start=1):
        for days_ago in range(20):
            count = generator.randint(0, 6 * weight)
            if count:
                rows.append(
                    ScanDay(entry_point=entry_point, day=today - timedelta(days_ago), count=count)
                )
    ScanDay.objects.bulk_create(rows)


def _clues(people):
    texts = [
        "菜市场里一伙人强行收取“管理费”，不交就掀摊子。",
        "市场门口有人放高利贷，逾期就上门威胁。",
    ]
    for number, text in enumerate(texts, start=1):
        token = f"demo-poster-clue-{number:012d}"
        if Clue.objects.filter(submission_token=token).exists():
            continue
        clue = ClueFactory(
            what_happened=f"（示例，虚构）{text}",
            where="（示例）路北区某菜市场",
            submission_token=token,
            entry_code="TSMKT2",
        )
        if number == 1:
            workflow.accept(clue, people["intake-hebei"])
