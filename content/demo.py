"""Demo pages: created when missing, never overwritten, so editors' changes survive reruns."""

from django.db import transaction

from wagtail.models import Locale, Page, Site

from .factories import HomePageFactory
from .models import HomePage

HOME = {
    "zh-hans": {
        "title": "反有组织犯罪法治宣传与线索举报",
        "lead": "学习《中华人民共和国反有组织犯罪法》，了解同黑恶势力作斗争的英雄故事，"
        "发现涉黑涉恶线索请及时举报，我们依法为举报人保密。",
        "body": "<h2>本平台可以做什么</h2><ul><li>阅读反有组织犯罪法及其条文解读；</li>"
        "<li>了解普通人同黑恶势力作斗争的故事（示例内容均为虚构）；</li>"
        "<li>匿名或实名举报涉黑涉恶线索，并凭回执查询办理进展。</li></ul>",
    },
    "en": {
        "title": "Anti-Organized Crime: the law and how to report",
        "lead": "Learn the Anti-Organized Crime Law of the People's Republic of China, read the "
        "stories of people who stood up to gangs, and report what you know. Reporters are "
        "protected by law and their identity is kept confidential.",
        "body": "<h2>What you can do here</h2><ul><li>Read the Anti-Organized Crime Law and "
        "guides to its articles;</li><li>read stories of ordinary people who fought organized "
        "crime (the demo stories are fictional);</li><li>report a clue anonymously or by name "
        "and follow it with your receipt.</li></ul>",
    },
}


def _remove_default_welcome_page(root: Page) -> None:
    """Wagtail's first migration creates a plain 'Welcome' page; it is replaced, not kept."""
    for page in root.get_children().filter(content_type__model="page", depth=2):
        if page.specific_class is Page and not page.get_children().exists():
            Site.objects.filter(root_page=page).update(root_page=root)
            page.delete()


@transaction.atomic
def load() -> Site:
    zh = Locale.get_default()
    en, _ = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    _remove_default_welcome_page(root)

    home = HomePage.objects.filter(locale=zh, depth=2).first()
    if home is None:
        home = HomePageFactory(parent=root, slug="home", locale=zh, **HOME["zh-hans"])
        home.save_revision().publish()

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True
        )
    if site.root_page_id != home.pk:
        site.root_page = home
    site.site_name = HOME["zh-hans"]["title"]
    site.save()

    if home.get_translation_or_none(en) is None:
        english = home.copy_for_translation(en)
        for field, value in HOME["en"].items():
            setattr(english, field, value)
        english.save_revision().publish()
    return site
