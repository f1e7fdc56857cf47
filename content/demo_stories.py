"""Demo hero stories and news: every person, place and event here is fictional and says so.
Created when missing, in Chinese and as English translations, never overwritten."""

import io
from datetime import date

from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.models import Locale

from PIL import Image, ImageDraw

from .models import HomePage, NewsIndexPage, NewsPage, PortalImage, StoryIndexPage, StoryPage

STORIES = [
    {
        "slug": "market-vendor",
        "zh": {
            "title": "（虚构故事）菜市场里的“不交钱不能摆摊”",
            "person": "（虚构）李秀兰",
            "unit": "个体商户",
            "honours": "（虚构）见义勇为先进个人",
            "region": "唐山市",
            "summary": "一位摊主收集了“管理费”收条，匿名举报了一个强收保护费的团伙。",
            "quote": "我只是把收条都留着，别人也都能做到。",
            "text": "<p>（本故事为演示内容，人物和情节均为虚构。）李秀兰在菜市场卖菜十年。"
            "一伙人每月以“管理费”为名收钱，不交就掀摊子。她把每张收条都拍了照，"
            "通过举报平台匿名提交，并用回执查询了办理进展。</p>",
        },
        "en": {
            "title": "(Fictional) “No fee, no stall” at the market",
            "person": "(Fictional) Li Xiulan",
            "unit": "Market vendor",
            "honours": "(Fictional) Citizen of courage award",
            "region": "Tangshan",
            "summary": "A vendor kept the gang's 'fee' receipts and reported them anonymously.",
            "quote": "I only kept the receipts. Anyone can do that.",
            "text": "<p>(A demo story: the people and events are fictional.) Li Xiulan had sold "
            "vegetables at the market for ten years when a group began demanding a monthly "
            "'management fee'. She photographed every receipt and reported it anonymously.</p>",
        },
        "date": date(2024, 6, 12),
        "tags": ["市场", "保护费"],
        "tags_en": ["Markets", "Protection money"],
    },
    {
        "slug": "construction-site",
        "zh": {
            "title": "（虚构故事）工地上的举报信",
            "person": "（虚构）王建国",
            "unit": "施工队队长",
            "honours": "",
            "region": "河北省",
            "summary": "一名施工队长拒绝被“强揽工程”，向有关部门实名举报。",
            "quote": "工程是靠本事干的，不是靠拳头抢的。",
            "text": "<p>（本故事为演示内容，人物和情节均为虚构。）有人威胁施工队交出土方工程，"
            "王建国实名举报，并配合核查，最终该团伙被依法查处。</p>",
        },
        "en": {
            "title": "(Fictional) A letter from the building site",
            "person": "(Fictional) Wang Jianguo",
            "unit": "Construction crew leader",
            "honours": "",
            "region": "Hebei",
            "summary": "A crew leader refused to hand his contract to a gang, and reported it.",
            "quote": "Work is won by skill, not by fists.",
            "text": "<p>(A demo story: the people and events are fictional.) Threatened into "
            "giving up an earthworks contract, Wang Jianguo reported by name and helped the "
            "verification.</p>",
        },
        "date": date(2025, 3, 2),
        "tags": ["工程建设"],
        "tags_en": ["Construction"],
    },
    {
        "slug": "campus-loans",
        "zh": {
            "title": "（虚构故事）辅导员和“校园贷”",
            "person": "（虚构）赵明",
            "unit": "高校辅导员",
            "honours": "（虚构）平安校园建设先进个人",
            "region": "唐山市",
            "summary": "一位辅导员发现学生被“套路贷”暴力催收，帮助学生保存证据并举报。",
            "quote": "学生敢说出来，我们就要接得住。",
            "text": "<p>（本故事为演示内容，人物和情节均为虚构。）"
            "赵明注意到几名学生频繁接到恐吓电话，"
            "得知他们陷入“套路贷”，便帮助他们整理聊天记录和转账凭证后举报。</p>",
        },
        "en": {
            "title": "(Fictional) The counsellor and the campus loans",
            "person": "(Fictional) Zhao Ming",
            "unit": "University counsellor",
            "honours": "(Fictional) Safe campus award",
            "region": "Tangshan",
            "summary": "A counsellor helped students caught in 'routine loan' fraud keep evidence.",
            "quote": "If students dare to speak, we must be there to listen.",
            "text": "<p>(A demo story: the people and events are fictional.) Zhao Ming helped "
            "students trapped by 'routine loan' fraud and threatened by debt collectors gather "
            "their messages and transfers.</p>",
        },
        "date": date(2025, 9, 20),
        "tags": ["校园", "套路贷"],
        "tags_en": ["Campus", "'Routine loan' fraud"],
    },
]

NEWS = [
    {
        "slug": "law-week",
        "kind": NewsPage.Kind.LAW,
        "date": date(2025, 5, 1),
        "zh": (
            "（示例）反有组织犯罪法宣传周活动启动",
            "（示例新闻）各地开展法律宣传进社区、进校园活动。",
            "宣传周期间，各地法院、检察院和公安机关的工作人员走进社区和学校，"
            "讲解反有组织犯罪法的主要内容和举报渠道。",
        ),
        "en": (
            "(Demo) Law publicity week begins",
            "(Demo news) Talks on the law in communities and schools.",
            "During the week, judges, prosecutors and police officers visit "
            "communities and schools to explain the law and how to report.",
        ),
    },
    {
        "slug": "poster-campaign",
        "kind": NewsPage.Kind.CAMPAIGN,
        "date": date(2025, 10, 8),
        "zh": (
            "（示例）举报二维码海报进市场、进工地",
            "（示例新闻）扫码即可举报，海报已张贴到市场和工地。",
            "每张海报都有自己的二维码，扫码后直接打开举报表单，类别和地区已按张贴地点预先选好。",
        ),
        "en": (
            "(Demo) Reporting posters go up in markets",
            "(Demo news) Scan the code on the poster to report.",
            "Each poster has its own code, which opens the report form "
            "with the category and region of the place where it hangs.",
        ),
    },
    {
        "slug": "case-bulletin",
        "kind": NewsPage.Kind.CASE,
        "date": date(2026, 1, 15),
        "zh": (
            "（示例）一起强收“管理费”案件通报",
            "（示例新闻，虚构案件）根据群众举报，一个强收保护费的团伙被依法查处。",
            "举报人提供了收条照片，核查单位据此立案侦查，团伙成员已被依法采取强制措施。",
        ),
        "en": (
            "(Demo) Case bulletin: the market 'fee' gang",
            "(Demo news, fictional case) "
            "Acting on reports, the authorities broke up a protection racket.",
            "A reporter's photographs of the receipts led to a "
            "criminal investigation; the members of the group have been detained.",
        ),
    },
]


def _portrait(slug, hue):
    """A drawn silhouette, clearly not a photo of anyone: demo people are fictional."""
    title = f"demo-portrait-{slug}"
    existing = PortalImage.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = Image.new("RGB", (600, 450), (235, 230, 222))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((240, 80, 360, 200), fill=hue)
    draw.rounded_rectangle((180, 220, 420, 450), radius=90, fill=hue)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return PortalImage.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.png"))


def _index(model, home, slug, title, intro):
    page = model.objects.child_of(home).first()
    if page is None:
        page = model(title=title, slug=slug, intro=intro, show_in_menus=True)
        home.add_child(instance=page)
        page.save_revision().publish()
    return page


def _translate(page, english, fields, tags=None):
    if page.get_translation_or_none(english) is not None:
        return
    copy = page.copy_for_translation(english)
    for field, value in fields.items():
        setattr(copy, field, value)
    if tags is not None:
        # The Chinese page's tags come with the copy; English readers get English topics.
        copy.tags.set(tags)
    copy.save_revision().publish()


@transaction.atomic
def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh, depth=2)
    stories = _index(
        StoryIndexPage,
        home,
        "stories",
        "英雄故事",
        "同黑恶势力作斗争的普通人。演示站点中的故事均为虚构。",
    )
    _translate(
        stories,
        en,
        {
            "title": "Hero stories",
            "intro": "Ordinary people who stood up "
            "to gangs. The stories on the demo site are fictional.",
        },
    )
    hues = [(139, 0, 0), (60, 60, 60), (20, 80, 120)]
    for story, hue in zip(STORIES, hues, strict=True):
        page = StoryPage.objects.child_of(stories).filter(slug=story["slug"]).first()
        if page is None:
            zh_text = story["zh"]
            portrait = _portrait(story["slug"], hue)
            page = StoryPage(
                slug=story["slug"],
                title=zh_text["title"],
                person=zh_text["person"],
                unit=zh_text["unit"],
                honours=zh_text["honours"],
                region=zh_text["region"],
                summary=zh_text["summary"],
                date=story["date"],
                portrait=portrait,
                portrait_alt=f"{zh_text['person']}的剪影插图（虚构人物）",
                body=[
                    ("paragraph", zh_text["text"]),
                    ("quote", {"text": zh_text["quote"], "attribution": zh_text["person"]}),
                ],
            )
            stories.add_child(instance=page)
            page.tags.add(*story["tags"])
            page.save_revision().publish()
        english = story["en"]
        _translate(
            page,
            en,
            {
                "title": english["title"],
                "person": english["person"],
                "unit": english["unit"],
                "honours": english["honours"],
                "region": english["region"],
                "summary": english["summary"],
                "portrait_alt": f"Drawn silhouette of {english['person']} (fictional person)",
                "body": [
                    ("paragraph", english["text"]),
                    ("quote", {"text": english["quote"], "attribution": english["person"]}),
                ],
            },
            tags=story["tags_en"],
        )
    news = _index(
        NewsIndexPage, home, "news", "宣传动态", "法治宣传、专项活动和案件通报。（示例内容）"
    )
    _translate(
        news,
        en,
        {"title": "News", "intro": "Law publicity, campaigns and case bulletins. (Demo content)"},
    )
    for item in NEWS:
        page = NewsPage.objects.child_of(news).filter(slug=item["slug"]).first()
        if page is None:
            # The summary is printed above the body: the body goes on from it, never repeats it.
            title, summary, body = item["zh"]
            page = NewsPage(
                slug=item["slug"],
                title=title,
                summary=summary,
                date=item["date"],
                kind=item["kind"],
                body=[("paragraph", f"<p>{body}</p>")],
            )
            news.add_child(instance=page)
            page.save_revision().publish()
        title, summary, body = item["en"]
        _translate(
            page,
            en,
            {"title": title, "summary": summary, "body": [("paragraph", f"<p>{body}</p>")]},
        )
    return stories, news
