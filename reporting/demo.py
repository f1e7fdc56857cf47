"""Demo reporting data: sample cities and counties under two provinces, and one fictional
report with a question from staff, whose receipt the demo command prints so a newcomer can
try the status page."""

import io
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from wagtail.models import Site

from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase.ttfonts import TTFError

from portal.factories import UserFactory
from portal.models import PortalSettings
from reporting.evidence import checks as evidence
from reporting.intake import reply_slip
from reporting.intake.receipts import (
    format_access_key,
    format_tracking_number,
    hash_access_key,
    new_access_key,
    take_receipt,
)
from reporting.lifecycle import bulk, ledger, repeats, reporter, submission
from reporting.lifecycle import review as workflow
from reporting.lifecycle.roles import add_member

from .factories import ClueFactory, advance
from .models import (
    BulkJob,
    Category,
    Clue,
    LedgerEntry,
    Membership,
    ProtectionRequest,
    Region,
    Unit,
)
from .reference_data import DATA, load_regions, seed_if_empty

Role = Membership.Role

DEMO_TOKEN = "demo-report-0000000000000001"  # nosec B105 # noqa: S105  (a form token, not a secret)


UNIT_KIND = {
    Region.Level.PROVINCE: Unit.Kind.PROVINCE,
    Region.Level.CITY: Unit.Kind.CITY,
    Region.Level.COUNTY: Unit.Kind.COUNTY,
}
# Fictional staff of two units, one per role (password-less: sign in after setting one).
DEMO_STAFF = {
    "hebei": [
        ("intake-hebei", "冀", "受理"),
        ("verifier-hebei", "冀", "核查"),
        ("signer1-hebei", "冀", "签一"),
        ("signer2-hebei", "冀", "签二"),
        ("signer3-hebei", "冀", "签三"),
        ("supervisor-hebei", "冀", "督导"),
    ],
    "tangshan": [
        ("verifier-tangshan", "唐", "核查"),
        ("signer1-tangshan", "唐", "签一"),
        ("signer2-tangshan", "唐", "签二"),
        ("signer3-tangshan", "唐", "签三"),
        ("supervisor-tangshan", "唐", "督导"),
    ],
}


def load():
    seed_if_empty()
    load_regions(DATA / "demo_regions.csv")
    load_units()


@transaction.atomic
def load_units():
    """The national office, one office per province, and offices for the demo's cities and
    counties, following the region tree. Missing ones are added; none is changed."""
    national = Unit.get_root_nodes().filter(code="national").first()
    if national is None:
        national = Unit.add_root(
            code="national", kind=Unit.Kind.NATIONAL, name="全国扫黑办", name_en="National Office"
        )
    by_region = {unit.region_id: unit for unit in Unit.objects.exclude(region=None)}
    for region in Region.get_tree():
        if region.pk in by_region:
            continue
        parent = national if region.depth == 1 else by_region[region.get_parent().pk]
        by_region[region.pk] = parent.add_child(
            code=f"r{region.code}",
            kind=UNIT_KIND[region.level],
            region=region,
            name=f"{region.name}扫黑办",
            name_en=f"{region.name_en} Office",
        )
    return national


def load_staff(password=None):
    """Demo staff with every role in the Hebei office and the Tangshan office. They share one
    password, new each time (none when not given: they cannot sign in)."""
    units = {
        "hebei": Unit.objects.get(code="r130000"),
        "tangshan": Unit.objects.get(code="r130200"),
    }
    roles = {
        "intake": Role.INTAKE,
        "verifier": Role.VERIFIER,
        "signer1": Role.SIGNATORY,
        "signer2": Role.SIGNATORY,
        "signer3": Role.SIGNATORY,
        "supervisor": Role.SUPERVISOR,
    }
    people = {}
    # Hashed once for all of them (unusable when not given): a hash is slow on purpose, a
    # quarter of a second each with the production settings, and the first command waited
    # on two for every person (the factory's own placeholder was hashed too).
    hashed = make_password(password or None)
    for key, staff in DEMO_STAFF.items():
        for username, last, first in staff:
            user = UserFactory(
                username=username, last_name=last, first_name=first, password=hashed
            )
            user.password = hashed
            user.save()
            add_member(user, units[key], roles[username.split("-")[0]])
            people[username] = user
    return people


def demo_report():
    """Create the demo report if missing and give it a new access key; returns the receipt."""
    clue = Clue.objects.filter(submission_token=DEMO_TOKEN).first()
    if clue is None:
        clue = ClueFactory(
            category="routine-loans",
            what_happened="（示例，虚构）某“小额贷款”公司以“砍头息”放贷，借款人逾期后，"
            "多人上门喷漆、堵门、深夜电话骚扰，逼迫借款人家属还款。",
            where="（示例）某小区",
            parties=[{"name": "（示例）“光头”", "description": "自称公司经理", "role": "头目"}],
            submission_token=DEMO_TOKEN,
        )
        staff = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        reporter.ask_reporter(clue, "（示例）请问上门的人是否开车？记得车牌号吗？", staff=staff)
    # Like the admin password, a fresh key each run: only its hash is ever stored.
    key = new_access_key()
    clue.access_key_hash = hash_access_key(key)
    clue.save(update_fields=["access_key_hash"])
    return format_tracking_number(clue.tracking_number), format_access_key(key)


PROTECTION_TOKEN = "demo-protection-000000000001"  # nosec B105 # noqa: S105  (a form token)


def demo_protection(people):
    """A report whose reporter asked for protection with it, still with the Hebei office's
    intake, so supervisor-hebei handles the request; returns its receipt, with a new key."""
    clue = Clue.objects.filter(submission_token=PROTECTION_TOKEN).first()
    if clue is None:
        clue = ClueFactory(
            category="market-bullies",
            what_happened="（示例，虚构）农贸市场里有一伙人强迫摊主只从他们那里进货，"
            "价格高出一倍，不从就砸摊。",
            where="（示例）某农贸市场",
            submission_token=PROTECTION_TOKEN,
            protection=(
                ProtectionRequest.Kind.SUFFERED,
                "（示例，虚构）我向市场管理处反映后，有人在我摊位上泼油漆，"
                "还打电话说“再乱说就让你关门”。",
            ),
        )
    key = new_access_key()
    clue.access_key_hash = hash_access_key(key)
    clue.save(update_fields=["access_key_hash"])
    return format_tracking_number(clue.tracking_number), format_access_key(key)


def _demo_clue(token, text, region="130203", category="gang-crime"):
    existing = Clue.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    clue = ClueFactory(
        what_happened=f"（示例，虚构）{text}",
        region=region,
        category=category,
        submission_token=token,
    )
    return clue, True


def demo_review(people):
    """Clues at different stages of review, moved there by the real workflow, so a newcomer
    can click through the loop as each role."""
    # Screened by the Hebei office, verified and signed by the Tangshan office.
    hebei_to_tangshan = {
        "intake": people["intake-hebei"],
        "verifier": people["verifier-tangshan"],
        "signers": [people[f"signer{n}-tangshan"] for n in (1, 2, 3)],
        "to_unit": Unit.objects.get(code="r130200"),
    }

    _demo_clue(
        "demo-stage-new-000000000001",
        "有人在建筑工地强揽土方工程，威胁其他施工队。",
        category="engineering-construction",
    )

    clue, created = _demo_clue(
        "demo-stage-transferred-0001", "菜市场有人强收“管理费”。", category="market-bullies"
    )
    if created:
        advance(clue, Clue.Status.TRANSFERRED, **hebei_to_tangshan)

    clue, created = _demo_clue("demo-stage-signing-00000001", "某村霸长期把持村务，殴打村民。")
    if created:
        advance(
            clue,
            Clue.Status.VERIFYING,
            is_key=True,
            progress="（示例）走访村民 12 人，调取报案记录。",
            conclusion={
                "finding": "substantiated",
                "outcome": "criminal_case",
                "text": "（示例）反映问题属实，已立案侦查。",
            },
            **hebei_to_tangshan,
        )
        workflow.sign(clue, people["signer1-tangshan"])

    clue, created = _demo_clue(
        "demo-stage-closed-000000001", "有人以“砍头息”放贷并暴力催收。", category="routine-loans"
    )
    if created:
        advance(
            clue,
            Clue.Status.CLOSED,
            conclusion={
                "finding": "partly",
                "outcome": "administrative_case",
                "text": "（示例）部分属实，已行政处罚。",
            },
            feedback="（示例）经核查，部分情况属实，已依法处理。",
            **hebei_to_tangshan,
        )


def demo_caller_follow_up(people):
    """The new construction clue's reporter rings the 12337 hotline to answer the question
    intake put to them on the status page, and intake take the call down against the
    tracking number they read out (docs/review.md, "When a caller rings again")."""
    clue, _created = _demo_clue(
        "demo-stage-new-000000000001",
        "有人在建筑工地强揽土方工程，威胁其他施工队。",
        category="engineering-construction",
    )
    if clue.ledger.filter(action=LedgerEntry.Action.FOLLOW_UP_TAKEN).exists():
        return clue
    intake = people["intake-hebei"]
    reporter.ask_reporter(clue, "（示例）请问是哪个工地？大约什么时候开始的？", staff=intake)
    reporter.take_follow_up(
        clue,
        "（示例，来电记录）举报人来电补充：是城东新区某安置房工地，今年三月起有人开车堵门，"
        "不用他们的土方车就不让施工。",
        staff=intake,
        channel=Clue.Channel.HOTLINE,
    )
    return clue


VOLUME_TEXTS = [
    "有人在夜市向摊贩强收“保护费”。",
    "某公司以高额“服务费”放贷，逾期后上门滋扰。",
    "有团伙垄断砂石运输，殴打其他司机。",
    "有人在学校附近多次拦截学生索要财物。",
]


def _volume_status(n, hebei):
    """Where the n-th volume clue stops: every twelfth not accepted; in Hebei the rest
    acknowledged by Tangshan, every other one concluded; in Guangdong two in three sent to
    the province's office, the others only screened."""
    if n % 12 == 11:
        return Clue.Status.NOT_ACCEPTED
    if not hebei:
        return Clue.Status.TRANSFERRED if n % 3 else Clue.Status.SCREENED
    return Clue.Status.ACKNOWLEDGED if n % 2 else Clue.Status.CONCLUDED


def demo_volume(people):
    """Three dozen fictional clues in two provinces, moved by the real workflow (a few not
    accepted, most transferred, a third concluded), so the statistics pages have figures
    above the public page's suppression threshold."""
    superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    categories = list(Category.objects.filter(active=True).order_by("sort_order")[:4])
    by_province = {
        # Screened by the Hebei office, verified and signed by the Tangshan office.
        True: {
            "intake": people["intake-hebei"],
            "verifier": people["verifier-tangshan"],
            "signers": [people[f"signer{n}-tangshan"] for n in (1, 2, 3)],
            "to_unit": Unit.objects.get(code="r130200"),
        },
        # Guangdong has no demo staff: the administrator screens and sends on.
        False: {"intake": superuser, "to_unit": Unit.objects.get(code="r440000")},
    }
    for n in range(36):
        hebei = n < 24
        region = ("130203", "130281")[n % 2] if hebei else ("440106", "440305")[n % 2]
        clue, created = _demo_clue(
            f"demo-volume-{n:016d}",
            VOLUME_TEXTS[n % len(VOLUME_TEXTS)],
            region=region,
            category=categories[n % len(categories)].slug,
        )
        if not created:
            continue
        case = n % 4 == 0
        advance(
            clue,
            _volume_status(n, hebei),
            reason="out_of_scope",
            conclusion={
                "finding": "substantiated" if case else "partly",
                "outcome": "criminal_case" if case else "administrative_case",
                "text": "（示例）"
                + ("反映问题属实，已立案侦查。" if case else "部分属实，已依法处理。"),
            },
            **by_province[hebei],
        )


# One fictional protection racket at a Tangshan market, reported four times: by the web
# form, through the market's poster (posters/demo.py, loaded before), by a hotline call
# that staff entered, and on the web again. (token, channel, entry code, story)
REPEAT_CLUSTER = [
    (
        "demo-repeat-cluster-00000001",
        Clue.Channel.WEB,
        "",
        "路北区某农贸市场有个叫马某的人，带着几个人每月挨个摊位收“卫生管理费”，"
        "每个摊位三百元，不交就不让出摊。",
    ),
    (
        "demo-repeat-cluster-00000002",
        Clue.Channel.POSTER,
        "TSMKT2",
        "扫了市场门口海报上的二维码来举报：马某一伙在市场里强收保护费，上周有摊主不交，被他们推倒在地。",
    ),
    (
        "demo-repeat-cluster-00000003",
        Clue.Channel.HOTLINE,
        "",
        "来电人称在市场卖菜多年：马某手下的人强迫摊主从他们那里进货，价钱比别处高一成，不从就砸秤。",
    ),
    (
        "demo-repeat-cluster-00000004",
        Clue.Channel.WEB,
        "",
        "再次反映马某的事：市场管理处一直不管，有人说他和市场里的人关系很好，摊主们都不敢吭声。",
    ),
]
REPEAT_CLUSTER_PEOPLE = [
    {"name": "（示例）马某", "description": "四十岁左右，光头", "role": "头目"}
]


def demo_repeat_cluster():
    """Four reports naming the same people, linked by the worker's own linker (which also
    makes them one repeat cluster led by the first), left new in the queue: a newcomer
    triages the cluster once, accepting the lead and marking the others its duplicates."""
    clues = []
    # The call was taken by the demo's Hebei intake reviewer (demo staff are loaded first).
    intake = get_user_model().objects.filter(username="intake-hebei").first()
    for token, channel, entry_code, text in REPEAT_CLUSTER:
        clue = Clue.objects.filter(submission_token=token).first()
        if clue is None:
            clue = ClueFactory(
                what_happened=f"（示例，虚构）{text}",
                where="（示例）路北区某农贸市场",
                category="market-bullies",
                region="130203",
                parties=REPEAT_CLUSTER_PEOPLE,
                submission_token=token,
                entry_code=entry_code,
                channel=None if entry_code else channel,
                taken_by=intake if channel == Clue.Channel.HOTLINE else None,
            )
        clues.append(clue)
    for clue in clues:
        repeats.link_repeats(clue.pk)
    return clues


# Clues the demo's intake reviewer took by phone, letter, visit and referral, entered as the
# admin's "Enter a clue" page enters them (lifecycle.submission.submit_clue, with the staff
# member named), so a newcomer finds each channel in the queue.
STAFF_ENTRY_TOKENS = {
    Clue.Channel.HOTLINE: "demo-staff-entry-hotline-0001",
    Clue.Channel.LETTER: "demo-staff-entry-letter-00001",
    Clue.Channel.VISIT: "demo-staff-entry-visit-000001",
    Clue.Channel.REFERRAL: "demo-staff-entry-referral-001",
}
REPLY_SLIP_FILE = "demo-reply-slip.pdf"


def _scanned_letter():
    """A small picture standing for a scanned handwritten letter."""
    image = Image.new("L", (600, 800), 250)
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype(settings.POSTER_FONT_PATH, 28, index=settings.POSTER_FONT_INDEX)
    except OSError:  # no CJK font here: lines stand for the handwriting
        font = None
    lines = ["（示例，虚构）举报信", "某砂石场老板带人", "殴打运输司机，", "强迫只用他家的车。"]
    for n in range(12):
        y = 80 + n * 55
        if font and n < len(lines):
            draw.text((60, y - 30), lines[n], fill=40, font=font)
        draw.line((50, y + 10, 550, y + 10), fill=170, width=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _enter(
    channel,
    person,
    text,
    category,
    *,
    days_ago=0,
    referring_body="",
    reporter=None,
    files=(),
):
    received = None
    if days_ago:
        day = timezone.localdate() - timedelta(days=days_ago)
        received = timezone.make_aware(datetime.combine(day, time.min))
    clue, _key = submission.submit_clue(
        details={
            "category": Category.objects.get(slug=category),
            "region": Region.objects.get(code="130203"),
            "what_happened": f"（示例，虚构）{text}",
            "when": Clue.When.UNKNOWN,
            "when_start": None,
            "when_end": None,
            "where": "（示例）路北区",
            "officials_shield": Clue.Shield.UNKNOWN,
            "shield_details": "",
        },
        parties=[],
        reporter=reporter,
        submission_token=STAFF_ENTRY_TOKENS[channel],
        entry_code="",
        language=settings.LANGUAGE_CODE,
        files=files,
        channel=channel,
        referring_body=referring_body,
        received_at=received,
        taken_by=person,
    )
    # Read out on the spot in real life; the demo's receipt is given anew below.
    take_receipt(STAFF_ENTRY_TOKENS[channel])
    return clue


def demo_staff_intake(people):
    """A hotline call, a letter with its scan, a visit and a referral, entered by the Hebei
    intake reviewer. The hotline clue gets a new access key each run, and its reply slip is
    written beside the demo logins (var/demo-reply-slip.pdf); returns (tracking number,
    access key, the slip's path or None when it could not be drawn)."""
    person = people["intake-hebei"]
    existing = {
        clue.channel: clue
        for clue in Clue.objects.filter(submission_token__in=STAFF_ENTRY_TOKENS.values())
    }
    if Clue.Channel.HOTLINE not in existing:
        existing[Clue.Channel.HOTLINE] = _enter(
            Clue.Channel.HOTLINE,
            person,
            "来电反映：有人在夜市强收摊位“卫生费”，不交就掀摊。",
            "market-bullies",
        )
    if Clue.Channel.LETTER not in existing:
        scan = evidence.process("letter-scan.png", _scanned_letter())
        _enter(
            Clue.Channel.LETTER,
            person,
            "来信反映：某砂石场老板带人殴打运输司机，强迫只用他家的车。",
            "gang-crime",
            days_ago=3,
            files=[scan],
        )
    if Clue.Channel.VISIT not in existing:
        _enter(
            Clue.Channel.VISIT,
            person,
            "来访反映：村里有人放高利贷，利滚利后上门逼债。",
            "routine-loans",
            days_ago=1,
            reporter={
                "name": "（示例）李某",
                "phone": "138 0000 0000",
                "id_number": "",
                "contact_time": "工作日白天",
            },
        )
    if Clue.Channel.REFERRAL not in existing:
        _enter(
            Clue.Channel.REFERRAL,
            person,
            "移送线索：某街道干部涉嫌为当地恶势力通风报信。",
            "gang-crime",
            referring_body="唐山市纪委监委（示例，虚构）",
        )
    hotline = existing[Clue.Channel.HOTLINE]
    key = new_access_key()
    hotline.access_key_hash = hash_access_key(key)
    hotline.save(update_fields=["access_key_hash"])
    return (
        format_tracking_number(hotline.tracking_number),
        format_access_key(key),
        _demo_reply_slip(hotline, key, person),
    )


def _demo_reply_slip(clue, key, person):
    site = Site.objects.filter(is_default_site=True).first()
    portal = PortalSettings.for_site(site) if site else PortalSettings()
    try:
        pdf = reply_slip.render(
            tracking_number=clue.tracking_number,
            access_key=key,
            received_at=clue.created_at,
            operator=portal.operator_zh,
            hotline=portal.hotline,
        )
    except (OSError, TTFError):  # the CJK font is missing (scripts/up installs it)
        return None
    path = Path(settings.VAR_DIR) / REPLY_SLIP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then put in place: a reader never finds half a file.
    partial = path.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(path)
    ledger.record(clue, LedgerEntry.Action.REPLY_SLIP, actor=person, unit=clue.unit)
    return path


# Reports of the kind that make up most of the volume: nothing for this office to verify.
TRIAGE_TEXTS = [
    "点击链接领取免费手机流量，先到先得。",
    "邻居家装修太吵，周末早上七点就开始打钻。",
    "我想咨询一下驾驶证到期怎么换证。",
    "测试测试测试。",
    "小区门口的共享单车乱停乱放，没人管。",
    "网购的衣服和图片不一样，商家不给退货。",
    "高价回收旧手机、旧电脑，上门服务。",
    "楼上漏水到我家天花板，物业推来推去。",
]


def demo_triage(people):
    """Bulk triage for a newcomer to try: eight obviously invalid reports left in the Hebei
    queue (tick them, "Bulk action", "Do not accept"), and one finished bulk action by the
    Hebei intake reviewer, done by the real path, so its page shows what was done and
    what was refused and why (a clue already transferred cannot be "not accepted")."""
    for n, text in enumerate(TRIAGE_TEXTS):
        _demo_clue(f"demo-triage-{n:016d}", text, category="other")
    intake = people["intake-hebei"]
    if BulkJob.objects.filter(actor=intake, arguments__demo=True).exists():
        return
    done = [
        _demo_clue(f"demo-triaged-{n:015d}", text, category="other")[0]
        for n, text in enumerate(TRIAGE_TEXTS[:4])
    ]
    # The demo's transferred clue (demo_review): past the point where it could be refused.
    token = "demo-stage-transferred-0001"  # nosec B105 # noqa: S105  (a form token)
    already = Clue.objects.filter(submission_token=token).first()
    ids = [clue.pk for clue in done] + ([already.pk] if already else [])
    job = BulkJob.objects.create(
        action=BulkJob.Action.NOT_ACCEPTED,
        actor=intake,
        arguments={
            "reason": Clue.NotAccepted.OUT_OF_SCOPE,
            "note": "（示例）与扫黑除恶无关的咨询和广告。",
            "language": settings.LANGUAGE_CODE,
            "demo": True,
        },
        clue_ids=ids,
        total=len(ids),
    )
    bulk.run(job)
