"""Demo rewards, all fictional: bands, a concluded clue whose reporter's claim waits for
assessment, one whose claim has waited past its assessment deadline and was escalated, one
awarded and paid, and two reporters of one case sharing an award decided for them; with a
reward officer of the Tangshan office."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from freezegun import freeze_time

from portal.factories import UserFactory
from reporting.factories import ClueFactory, advance
from reporting.intake.receipts import (
    format_access_key,
    format_tracking_number,
    hash_access_key,
    new_access_key,
)
from reporting.lifecycle.repeats import join_cluster
from reporting.lifecycle.roles import add_member
from reporting.models import Clue, Membership, Unit

from . import deadlines, services
from .models import Claim, RewardBand

BANDS = [
    ("（示例）一般贡献", "General contribution (demo)", 500, 5_000),
    ("（示例）重要贡献", "Important contribution (demo)", 5_000, 30_000),
    ("（示例）重大贡献", "Major contribution (demo)", 30_000, 100_000),
]
WAITING_TOKEN = "demo-reward-waiting-0000001"  # nosec B105 # noqa: S105  (a form token)
PAID_TOKEN = "demo-reward-paid-0000000001"  # nosec B105 # noqa: S105  (a form token)
OVERDUE_TOKEN = "demo-reward-overdue-0000001"  # nosec B105 # noqa: S105  (a form token)
SHARED_TOKENS = (
    "demo-reward-shared-0000001",  # nosec B105
    "demo-reward-shared-0000002",  # nosec B105
)
# The overdue claim was made this long after its clue's conclusion stood (or half the claim
# window, if a deployer set that shorter).
CLAIMED_AFTER = timedelta(days=12)


def load_bands():
    for name, name_en, lowest, highest in BANDS:
        RewardBand.objects.get_or_create(
            name_en=name_en,
            defaults={
                "name": name,
                "lowest": lowest,
                "highest": highest,
                "description": "（示例）虚构的奖励档次，部署时请按本地规定修改。",
                "description_en": "A fictional band: set your own under your local rules.",
            },
        )


def _clue(token, text, people):
    """The demo clue, concluded by the Tangshan office; a new access key each run."""
    clue = Clue.objects.filter(submission_token=token).first()
    if clue is None:
        clue = ClueFactory(what_happened=f"（示例，虚构）{text}", submission_token=token)
        advance(
            clue,
            Clue.Status.FEEDBACK,
            intake=people["intake-hebei"],
            verifier=people["verifier-tangshan"],
            signers=[people[f"signer{n}-tangshan"] for n in (1, 2, 3)],
            to_unit=Unit.objects.get(code="r130200"),
            conclusion={
                "finding": "substantiated",
                "outcome": "criminal_case",
                "text": "（示例）反映问题属实，已立案侦查。",
            },
            feedback="（示例）经核查属实，已立案侦查。感谢您的举报。",
        )
    key = new_access_key()
    clue.access_key_hash = hash_access_key(key)
    clue.save(update_fields=["access_key_hash"])
    return clue, key


def _overdue(people):
    """A claim made long enough ago that its assessment is overdue and, the grace passed too,
    escalated. The review workflow stamps each step with the present time, so the clue, the
    claim and the deadline check's runs are each lived at their own past date: the ledger,
    the conclusion and the claim then agree, and the check marks the claim as the worker
    would have on those days."""
    days = settings.REWARD_ASSESSMENT_DAYS + settings.REWARD_ESCALATION_GRACE_DAYS + 3
    claimed_at = timezone.now() - timedelta(days=days)
    window = timedelta(days=settings.REWARD_CLAIM_WINDOW_DAYS)
    concluded_at = claimed_at - min(CLAIMED_AFTER, window / 2)
    text = "有人在河道非法采砂，殴打前来劝阻的村民。"
    with freeze_time(concluded_at, tick=True):
        clue, key = _clue(OVERDUE_TOKEN, text, people)
    if not Claim.objects.filter(clue=clue).exists():
        with freeze_time(claimed_at, tick=True):
            services.claim_reward(clue, method=Claim.Method.IN_PERSON)
    # The worker's periodic check on the day the assessment fell due, and on the day its
    # grace ran out; a claim already marked is left alone.
    overdue_at = claimed_at + timedelta(days=settings.REWARD_ASSESSMENT_DAYS, hours=1)
    for run_at in (
        overdue_at,
        overdue_at + timedelta(days=settings.REWARD_ESCALATION_GRACE_DAYS, hours=1),
    ):
        with freeze_time(run_at, tick=True):
            deadlines.check()
    return clue, key


def _shared(people, officer):
    """Two reports of one case (a repeat cluster), both claimed; one award decided for the
    two, waiting for each reporter's answer."""
    texts = (
        "有人在建材市场强行收取“进场费”，不交就砸摊。",
        "建材市场有一伙人逼商户交“管理费”，我亲眼看见他们打人。",
    )
    found = [_clue(token, text, people) for token, text in zip(SHARED_TOKENS, texts, strict=True)]
    clues = [clue for clue, _key in found]
    join_cluster([clue.pk for clue in clues])
    claims = []
    for clue in clues:
        clue.refresh_from_db()
        claim = Claim.objects.filter(clue=clue).first()
        claims.append(claim or services.claim_reward(clue, method=Claim.Method.IN_PERSON))
    first, second = claims
    if first.status == Claim.Status.CLAIMED:
        band = RewardBand.objects.order_by("lowest").first()
        services.propose(
            first,
            officer,
            band=band,
            amount=band.lowest * 3,
            shares={second: band.lowest * 2},
            reason="（示例）两位举报人分别提供了同一团伙的线索，按贡献分配。",
        )
        for n in (1, 2, 3):
            services.sign(first, people[f"signer{n}-tangshan"])
    return found


def demo_rewards(people, password):
    load_bands()
    tangshan = Unit.objects.get(code="r130200")
    # The factory is given the hash: it would hash a placeholder of its own first.
    hashed = make_password(password or None)
    officer = UserFactory(
        username="rewards-tangshan", last_name="唐", first_name="奖励", password=hashed
    )
    officer.password = hashed
    officer.save()
    add_member(officer, tangshan, Membership.Role.REWARDS)

    waiting, waiting_key = _clue(WAITING_TOKEN, "有人垄断当地砂石运输，强迫商户高价购买。", people)
    if not Claim.objects.filter(clue=waiting).exists():
        services.claim_reward(waiting, method=Claim.Method.IN_PERSON)

    paid, paid_key = _clue(PAID_TOKEN, "有人以“保护费”名义向夜市摊贩收钱。", people)
    if not Claim.objects.filter(clue=paid).exists():
        claim = services.claim_reward(paid, method=Claim.Method.IN_PERSON)
        band = RewardBand.objects.order_by("lowest").first()
        services.propose(
            claim,
            officer,
            band=band,
            amount=band.lowest * 2,
            reason="（示例）线索具体，协助立案。",
        )
        for n in (1, 2, 3):
            services.sign(claim, people[f"signer{n}-tangshan"])
        services.accept(claim)
        services.record_payment(
            claim, officer, paid_on=date.today(), how=Claim.Method.IN_PERSON, access_key=paid_key
        )

    overdue, overdue_key = _overdue(people)
    shared = _shared(people, officer)
    return {
        "officer": officer.username,
        "waiting": (
            format_tracking_number(waiting.tracking_number),
            format_access_key(waiting_key),
        ),
        "paid": (format_tracking_number(paid.tracking_number), format_access_key(paid_key)),
        "overdue": (
            format_tracking_number(overdue.tracking_number),
            format_access_key(overdue_key),
        ),
        "shared": [
            (format_tracking_number(clue.tracking_number), format_access_key(key))
            for clue, key in shared
        ],
    }
