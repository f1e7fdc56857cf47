"""Demo wanted notices: invented people, drawn silhouettes, and saying so on every notice. One
is wanted; one was caught long enough ago that the real withdrawal job has already removed
its details. Created when missing, in Chinese and as English translations."""

import datetime
import io

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone

from wagtail.models import Locale

from PIL import Image, ImageDraw

from content.models import HomePage, PortalImage
from law.models import LawPage

from . import services
from .models import NoticeIndexPage, NoticePage

INDEX = {
    "zh": {
        "title": "通缉令",
        "intro": "公安机关发布的通缉令和悬赏通告。发现线索请勿靠近，及时报警或在本站举报。"
        "演示站点中的人物均为虚构。",
    },
    "en": {
        "title": "Wanted",
        "intro": "Wanted notices and reward notices issued by the police. If you see someone, "
        "do not approach them: call the police or report here. The people on the demo site "
        "are invented.",
    },
}

SURRENDER_ZH = (
    "<p>依照《中华人民共和国刑法》第六十七条和《中华人民共和国反有组织犯罪法》第二十二条，"
    "犯罪以后自动投案，如实供述自己罪行的，是自首，可以从轻或者减轻处罚。"
    "敦促在逃人员认清形势，尽快投案自首。</p>"
)
SURRENDER_EN = (
    "<p>Under Article 67 of the Criminal Law and Article 22 of the Anti-Organized Crime Law, "
    "a person who gives themselves up and truthfully confesses may receive a lighter or "
    "reduced punishment. We urge those at large to surrender without delay.</p>"
)

NOTICES = [
    {
        "slug": "example-2026-01",
        "feature": True,
        "zh": {
            "title": "（示例）悬赏通告：张某某（虚构人物）",
            "person": "（示例）张某某",
            "other_names": "“张老三”（虚构）",
            "native_place": "示例省示例县（虚构）",
            "description": "体型偏瘦，说示例方言，左手背有疤痕。（虚构描述）",
            "region": "示例省",
            "offence": "组织、领导黑社会性质组织罪",
            "legal_basis": "《中华人民共和国刑法》第二百九十四条；本法第二条、第二十二条。",
            "issuing_authority": "示例市公安局（虚构）",
            "reward_rules": "提供线索直接抓获的，奖励人民币五万元。举报人可以匿名，"
            "公安机关依法为举报人保密。",
            "surrender_address": "示例市示例路 1 号示例市公安局（虚构地址）",
            "portrait_alt": "示例人物张某某的剪影插图（虚构人物，并非照片）",
        },
        "en": {
            "title": "(Example) Reward notice: Zhang Moumou (invented person)",
            "person": "(Example) Zhang Moumou",
            "other_names": "“Third Brother Zhang” (invented)",
            "native_place": "Example County, Example Province (invented)",
            "description": "Slim build, speaks an example dialect, a scar on the back of the "
            "left hand. (Invented description)",
            "region": "Example Province",
            "offence": "Organising and leading a mafia-style organisation",
            "legal_basis": "Criminal Law of the PRC, Article 294; Anti-Organized Crime Law "
            "第二条 (Article 2) and 第二十二条 (Article 22).",
            "issuing_authority": "Example City Public Security Bureau (invented)",
            "reward_rules": "50,000 yuan for information that leads directly to an arrest. "
            "You may report anonymously; the police keep reporters' identities confidential.",
            "surrender_address": "Example City Public Security Bureau, 1 Example Road "
            "(invented address)",
            "portrait_alt": "Drawn silhouette of Zhang Moumou (invented person, not a photo)",
        },
        "sex": NoticePage.Sex.MALE,
        "birth_year": 1985,
        "height_cm": 172,
        # Region code 99 does not exist: the number cannot be anyone's.
        "identity_number": "990101198505060012",
        "reward_yuan": 50000,
        "issued_on": datetime.date(2026, 3, 1),
        "status": NoticePage.Status.WANTED,
        "hue": (70, 70, 70),
    },
    {
        "slug": "example-2025-07",
        "feature": False,
        "zh": {
            "title": "（示例）通缉令：李某某（虚构人物）",
            "person": "（示例）李某某",
            "other_names": "",
            "native_place": "示例省示例市（虚构）",
            "description": "（虚构描述）",
            "region": "示例市",
            "offence": "敲诈勒索罪",
            "legal_basis": "《中华人民共和国刑法》第二百七十四条。",
            "issuing_authority": "示例县公安局（虚构）",
            "reward_rules": "提供线索直接抓获的，奖励人民币一万元。",
            "surrender_address": "示例县公安局（虚构地址）",
            "portrait_alt": "示例人物李某某的剪影插图（虚构人物，并非照片）",
        },
        "en": {
            "title": "(Example) Wanted: Li Moumou (invented person)",
            "person": "(Example) Li Moumou",
            "other_names": "",
            "native_place": "Example City, Example Province (invented)",
            "description": "(Invented description)",
            "region": "Example City",
            "offence": "Extortion",
            "legal_basis": "Criminal Law of the PRC, Article 274.",
            "issuing_authority": "Example County Public Security Bureau (invented)",
            "reward_rules": "10,000 yuan for information that leads directly to an arrest.",
            "surrender_address": "Example County Public Security Bureau (invented address)",
            "portrait_alt": "Drawn silhouette of Li Moumou (invented person, not a photo)",
        },
        "sex": NoticePage.Sex.FEMALE,
        "birth_year": 1990,
        "height_cm": 160,
        "identity_number": "990201199001010020",
        "reward_yuan": 10000,
        "issued_on": datetime.date(2025, 7, 15),
        "status": NoticePage.Status.CAUGHT,
        "hue": (20, 60, 100),
    },
]


def silhouette(slug, hue):
    """A drawn head and shoulders, plainly not a photo of anyone."""
    title = f"demo-notice-{slug}"
    existing = PortalImage.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = Image.new("RGB", (480, 600), (225, 225, 225))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((170, 110, 310, 270), fill=hue)
    draw.rounded_rectangle((100, 300, 380, 600), radius=110, fill=hue)
    draw.rectangle((0, 0, 479, 599), outline=(120, 120, 120), width=6)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return PortalImage.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.png"))


def _index(home, english):
    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = NoticeIndexPage(slug="wanted", show_in_menus=True, **INDEX["zh"])
        home.add_child(instance=index)
        index.save_revision().publish()
    if index.get_translation_or_none(english) is None:
        copy = index.copy_for_translation(english)
        for field, value in INDEX["en"].items():
            setattr(copy, field, value)
        copy.save_revision().publish()
    return index


def _law(locale):
    return LawPage.objects.filter(locale=locale).live().first()


@transaction.atomic
def load():
    zh, en = Locale.objects.get(language_code="zh-hans"), Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=zh, depth=2)
    index = _index(home, en)
    today = timezone.localdate()
    for notice in NOTICES:
        page = NoticePage.objects.child_of(index).filter(slug=notice["slug"]).first()
        if page is not None:
            continue
        caught = notice["status"] != NoticePage.Status.WANTED
        common = {
            "slug": notice["slug"],
            "sex": notice["sex"],
            "birth_year": notice["birth_year"],
            "height_cm": notice["height_cm"],
            "identity_number": notice["identity_number"],
            "reward_yuan": notice["reward_yuan"],
            "issued_on": notice["issued_on"],
            "contact_phone": "110",
            "surrender_phone": "110",
            "status": notice["status"],
            # Caught long enough ago for the withdrawal job to be due.
            "status_since": (
                today - datetime.timedelta(days=settings.FUGITIVE_DETAILS_WITHDRAWAL_DAYS + 10)
                if caught
                else None
            ),
            "feature_on_home": notice["feature"],
            "portrait": silhouette(notice["slug"], notice["hue"]),
        }
        page = NoticePage(
            **common,
            **notice["zh"],
            surrender_policy=SURRENDER_ZH,
            law_page=_law(zh),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        copy = page.copy_for_translation(en)
        for field, value in notice["en"].items():
            setattr(copy, field, value)
        copy.surrender_policy = SURRENDER_EN
        copy.law_page = _law(en)
        copy.save_revision().publish()
    # The real job, as the worker runs it: the caught notice's details go now.
    services.withdraw_due_details(now=timezone.now())
    return index
