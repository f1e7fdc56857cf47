"""Demo reporting data: sample cities and counties under two provinces, and one fictional
report with a question from staff, whose receipt the demo command prints so a newcomer can
try the status page."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from portal.factories import UserFactory
from reporting.intake.receipts import (
    format_access_key,
    format_tracking_number,
    hash_access_key,
    new_access_key,
)
from reporting.lifecycle import bulk, reporter
from reporting.lifecycle import review as workflow
from reporting.lifecycle.roles import add_member

from .factories import ClueFactory, advance
from .models import BulkJob, Category, Clue, Membership, Region, Unit
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
    for key, staff in DEMO_STAFF.items():
        for username, last, first in staff:
            user = UserFactory(username=username, last_name=last, first_name=first)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
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
