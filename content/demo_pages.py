"""The standing pages a citizen looks for before reporting: how to report (with its FAQ and
the reward rules), what the site keeps about a reporter, and who runs it. The privacy notice
says what the portal really does (docs/reporting.md); who runs the demo is fictional."""

from django.db import transaction

from wagtail.models import Locale

from .models import HomePage, StandardPage


def _faq(heading, pairs):
    return (
        "faq",
        {
            "heading": heading,
            "questions": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in pairs],
        },
    )


PAGES = [
    {
        "slug": "guide",
        "zh": {
            "title": "举报指南",
            "intro": "怎样举报、会发生什么、怎样保护自己。",
            "body": [
                (
                    "paragraph",
                    "<h2>可以举报什么</h2><p>涉黑涉恶犯罪、“保护伞”、“套路贷”和暴力催收、"
                    "欺行霸市、强揽工程、校园欺凌等线索，以及涉黑涉恶在逃人员的下落。</p>"
                    "<h2>举报以后</h2><ol><li>提交后您会得到跟踪编号和查询码，请抄下或打印；</li>"
                    "<li>受理人员初核后，线索转交有关单位核查；</li>"
                    "<li>核查结论经三名负责人签署后生效，您可以凭回执查看反馈。</li></ol>",
                ),
                _faq(
                    "常见问题",
                    [
                        (
                            "可以匿名举报吗？",
                            "可以。匿名举报不需要留下任何个人信息，凭回执即可查询进展、回答工作人员的提问。",
                        ),
                        (
                            "回执丢了怎么办？",
                            "回执只显示一次，本站也不保存查询码，无法找回。您可以重新举报，并说明之前举报过。",
                        ),
                        (
                            "上传照片会暴露我吗？",
                            "照片、录音、视频和 PDF 中的拍摄地点、设备等信息会被删除后再保存；画面和声音本身会保留，请注意其中可能透露的信息。",
                        ),
                        (
                            "举报有奖励吗？",
                            "《反有组织犯罪法》规定对举报有功人员依法给予奖励。线索查证属实并立案或移送处理后，查询页面会告诉您可以申领奖励及截止日期；凭回执即可申领，匿名举报人不必留下姓名。您可以选择凭回执到指定单位当面领取，或提供银行账户（加密保存，发放后删除）。评定结果和理由会显示在查询页面上，您可以接受，或申请一次复核。",
                        ),
                        (
                            "担心遭到打击报复怎么办？",
                            "举报时或之后在查询页面上告诉我们您担心的事或已经发生的事。申请由负责单位的主管处理（异地核查的线索由核查单位的上级主管处理，不经当地）；工作人员采取的措施和答复会显示在查询页面上。情况紧急请直接拨打 110。",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "How to report",
            "intro": "How to report, what happens next, and how to stay safe.",
            "body": [
                (
                    "paragraph",
                    "<h2>What you can report</h2><p>Gang and vicious-force crime, officials "
                    "shielding gangs, 'routine loan' fraud and violent debt collection, market "
                    "bullies, forced contracts, campus bullying, and where wanted fugitives are."
                    "</p><h2>After you report</h2><ol><li>You get a tracking number and an "
                    "access key: write them down or print them;</li><li>intake staff screen "
                    "the clue and send it to a unit to verify;</li><li>the unit's conclusion "
                    "stands once three of its officials sign it, and you can read the feedback "
                    "with your receipt.</li></ol>",
                ),
                _faq(
                    "Questions",
                    [
                        (
                            "Can I report anonymously?",
                            "Yes. You leave no personal details; your receipt lets you follow the report and answer staff's questions.",
                        ),
                        (
                            "I lost my receipt.",
                            "It is shown once and the site does not keep the access key, so it cannot be recovered. Report again and say you reported before.",
                        ),
                        (
                            "Will a photo give me away?",
                            "Location and device details are removed from photos, recordings, videos and PDFs before they are stored. What they show or sound like stays: mind it.",
                        ),
                        (
                            "Is there a reward?",
                            "The Anti-Organized Crime Law provides rewards for people whose reports help. Once a report is found true and leads to a case, the status page says a reward may be claimed and until when; the receipt is all you need, and an anonymous reporter gives no name. Collect it in person at the named office with your receipt, or give a bank account (kept encrypted, erased once paid). The decision and its reasons appear on the status page: accept it, or ask once for a review.",
                        ),
                        (
                            "What if I fear retaliation?",
                            "Tell us, when reporting or later on the status page, what you fear or what has happened. The request goes to the supervisors of the unit handling the report (for a report checked off-site, to those above the checking unit, not local ones); what they do and their answer appear on the status page. In an emergency, call 110.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "slug": "privacy",
        "zh": {
            "title": "隐私说明",
            "intro": "本站保存什么、从不保存什么。",
            "body": [
                (
                    "paragraph",
                    "<h2>我们保存</h2><ul><li>您填写的内容、涉及的人员、类别和地区；</li>"
                    "<li>实名举报人的姓名、电话、身份证号和方便联系的时间，<b>加密</b>保存；</li>"
                    "<li>证据文件：图片和 PDF 删除元数据后保存；</li>"
                    "<li>查询码的散列值（不是查询码本身）；</li>"
                    "<li>扫码海报的编号，以及每个海报每天被扫描的次数；</li>"
                    "<li>申领奖励时选择的领取方式；银行账户<b>加密</b>保存，奖励发放后即删除；</li>"
                    "<li>保护申请中您所述的情况，<b>加密</b>保存，与举报内容一同到期删除。</li></ul>"
                    "<h2>我们从不保存</h2><ul><li>您的 IP 地址或浏览器信息，数据库和日志中都没有；</li>"
                    "<li>上传文件的原始文件名；</li><li>查询码本身；</li>"
                    "<li>扫码时的任何 Cookie、地址或设备信息。</li></ul>"
                    "<p>本站不加载任何其他网站的内容，没有第三方脚本、字体或访问统计。</p>",
                ),
                # The period comes from the server's setting, never from the text.
                ("retention_period", None),
            ],
        },
        "en": {
            "title": "Privacy notice",
            "intro": "What this site keeps, and what it never keeps.",
            "body": [
                (
                    "paragraph",
                    "<h2>We keep</h2><ul><li>your answers, the people named, the category and "
                    "region;</li><li>a named reporter's name, phone, ID number and contact "
                    "time, <b>encrypted</b>;</li><li>evidence files, with the metadata of "
                    "images and PDFs removed;</li><li>a hash of the access key, not the access key itself;</li>"
                    "<li>the code of a poster you scanned, and how many scans each poster gets "
                    "per day;</li><li>for a reward claim, how you chose to be paid; a bank "
                    "account <b>encrypted</b>, and erased once the reward is paid;</li><li>what "
                    "you tell us in a protection request, <b>encrypted</b>, erased with the "
                    "report's content.</li></ul><h2>We never keep</h2><ul><li>your IP address or browser "
                    "details, in the database or in logs;</li><li>the names of the files you "
                    "upload;</li><li>the access key itself;</li><li>any cookie, address or "
                    "device detail of a scan.</li></ul><p>This site loads nothing from other "
                    "sites: no third-party scripts, fonts or analytics.</p>",
                ),
                ("retention_period", None),
            ],
        },
    },
    {
        "slug": "about",
        "zh": {
            "title": "关于本站",
            "intro": "（演示站点）本站由一个虚构的扫黑除恶办公室运行，用于演示。",
            "body": [
                (
                    "paragraph",
                    "<p>本站提供《反有组织犯罪法》的学习材料、同黑恶势力作斗争的故事，以及线索举报和办理进展查询。"
                    "演示站点中的人物、单位和案例均为虚构。</p>",
                )
            ],
        },
        "en": {
            "title": "About this site",
            "intro": "(Demo site) Run by a fictional anti-gang office for demonstration.",
            "body": [
                (
                    "paragraph",
                    "<p>The site offers material on the Anti-Organized Crime Law, stories of "
                    "people who fought gangs, and a way to report clues and follow them. The "
                    "people, offices and cases on the demo site are fictional.</p>",
                )
            ],
        },
    },
]


def _without_ids(value):
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _content(page, fields):
    """The page's words in the given fields, without the ids a StreamField gives its blocks
    and list items afresh each time it is written."""
    return {
        name: _without_ids(list(value.get_prep_value())) if name == "body" else value
        for name in fields
        for value in [getattr(page, name)]
    }


def _refresh(page, fields):
    """A demo page nobody has edited (every revision is the loader's own, made without a
    user) gets the current demo words, so a database loaded before a wording changed (these
    pages once named the access key differently from the receipt) is corrected by the next
    load. A page an editor has saved is theirs and left alone."""
    if page.revisions.exclude(user=None).exists():
        return
    before = _content(page, fields)
    for field, value in fields.items():
        setattr(page, field, value)
    if _content(page, fields) != before:
        page.save_revision().publish()


@transaction.atomic
def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh, depth=2)
    pages = {}
    for spec in PAGES:
        page = StandardPage.objects.child_of(home).filter(slug=spec["slug"]).first()
        if page is None:
            page = StandardPage(
                slug=spec["slug"], show_in_menus=spec["slug"] == "guide", **spec["zh"]
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        else:
            _refresh(page, spec["zh"])
        english = page.get_translation_or_none(en)
        if english is None:
            english = page.copy_for_translation(en)
            for field, value in spec["en"].items():
                setattr(english, field, value)
            english.save_revision().publish()
        else:
            _refresh(english, spec["en"])
        pages[spec["slug"]] = page
    return pages


@transaction.atomic
def feature_on_home():
    """Point each home page at its language's law, news and stories, unless an editor has."""
    from wagtail.models import Page

    from .models import HomeFeaturedStory, NewsIndexPage, StoryPage

    for home in HomePage.objects.filter(depth=2):
        if home.law_page_id or home.news_index_id or home.featured_stories.exists():
            continue
        home.law_page = Page.objects.filter(
            locale=home.locale, content_type__app_label="law", live=True
        ).first()
        home.news_index = NewsIndexPage.objects.filter(locale=home.locale).first()
        home.featured_stories = [
            HomeFeaturedStory(story=story)
            for story in StoryPage.objects.filter(locale=home.locale).order_by("-date")[:3]
        ]
        home.save_revision().publish()
