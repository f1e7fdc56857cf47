"""Factories for clues and for the offices and staff who review them, shared by the tests and
the demo loader.

A clue is made through the real service (submit_clue), so its ledger entry, receipt hand-off
and pending follow-up are those of a real report, and it is moved to a later status through
the real review functions, by staff whose roles allow each step. Reference data is looked up
first and made only when missing: with the demo's regions, units and staff loaded, the
factories use those (the Hebei office screens a Tangshan clue, the Tangshan office verifies
it); in an empty database they make the few they need.
"""

import io
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

import factory
from PIL import Image

from portal.factories import UserFactory
from reporting.evidence import checks
from reporting.lifecycle import review as workflow
from reporting.lifecycle import submission
from reporting.lifecycle.roles import add_member
from reporting.models import (
    SIGNATURES_REQUIRED,
    Category,
    Clue,
    Membership,
    Region,
    Transfer,
    Unit,
)

S, Role = Clue.Status, Membership.Role

# A fictional named reporter, for clues whose reporter must be known.
REPORTER = {"name": "王小明", "phone": "13912345678", "id_number": "", "contact_time": "晚上"}

# The statuses a clue passes through on the way to being closed, in order.
PATH = [S.SUBMITTED, S.SCREENED, S.TRANSFERRED, S.ACKNOWLEDGED, S.VERIFYING, S.CONCLUDED]
PATH += [S.FEEDBACK, S.CLOSED]

LEVELS = {
    Region.Level.PROVINCE: Unit.Kind.PROVINCE,
    Region.Level.CITY: Unit.Kind.CITY,
    Region.Level.COUNTY: Unit.Kind.COUNTY,
}


class CategoryFactory(factory.django.DjangoModelFactory):
    """A category by its slug: the seeded one when it exists."""

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda category: f"（测试）{category.slug}")
    name_en = factory.LazyAttribute(lambda category: f"Test {category.slug}")
    description = "（测试）虚构的类别"
    description_en = "A fictional category"

    class Meta:
        model = Category
        django_get_or_create = ("slug",)


def _parent_code(code):
    """The code of the division above, by GB/T 2260: province, city, county in two digits
    each; None for a province."""
    if code.endswith("0000"):
        return None
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


class RegionFactory(factory.django.DjangoModelFactory):
    """A region by its code: the loaded one when it exists, otherwise made in the tree under
    its province and city, which are made too when missing."""

    code = factory.Sequence(lambda n: f"{91 + n % 9}0000")
    name = factory.LazyAttribute(lambda region: f"（测试）{region.code}")
    name_en = factory.LazyAttribute(lambda region: f"Test {region.code}")

    class Meta:
        model = Region

    @classmethod
    def _create(cls, model_class, *, code, **fields):
        existing = Region.objects.filter(code=code).first()
        if existing:
            return existing
        parent_code = _parent_code(code)
        if parent_code is None:
            return Region.add_root(code=code, level=Region.Level.PROVINCE, **fields)
        parent = cls(code=parent_code)
        level = Region.Level.CITY if parent.depth == 1 else Region.Level.COUNTY
        return parent.add_child(code=code, level=level, **fields)


class UnitFactory(factory.django.DjangoModelFactory):
    """An office: the one with this code when it exists, otherwise made under `parent` (a
    new root without one)."""

    code = factory.Sequence(lambda n: f"unit{n}")
    kind = Unit.Kind.CITY
    region = None
    name = factory.LazyAttribute(lambda unit: f"（测试）{unit.code}扫黑办")
    name_en = factory.LazyAttribute(lambda unit: f"Test office {unit.code}")
    parent = None

    class Meta:
        model = Unit

    @classmethod
    def _create(cls, model_class, *, code, parent, **fields):
        existing = Unit.objects.filter(code=code).first()
        if existing:
            return existing
        if parent is None:
            return Unit.add_root(code=code, **fields)
        return parent.add_child(code=code, **fields)


def national_unit():
    return UnitFactory(
        code="national", kind=Unit.Kind.NATIONAL, name="全国扫黑办", name_en="National Office"
    )


def unit_for(region):
    """The office of a region, named as the demo names them; made, with the offices above it,
    when missing. The national office for no region."""
    if region is None:
        return national_unit()
    unit = Unit.objects.filter(region=region).order_by("pk").first()
    if unit:
        return unit
    parent = unit_for(region.get_parent()) if region.depth > 1 else national_unit()
    return UnitFactory(
        parent=parent,
        code=f"r{region.code}",
        kind=LEVELS[region.level],
        region=region,
        name=f"{region.name}扫黑办",
        name_en=f"{region.name_en} Office",
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    """A staff member's role in an office, given as the admin gives it (add_member): with
    the role's group and access to the admin."""

    user = factory.SubFactory(UserFactory)
    unit = factory.LazyFunction(national_unit)
    role = Role.INTAKE

    class Meta:
        model = Membership

    @classmethod
    def _create(cls, model_class, *, user, unit, role):
        return add_member(user, unit, role)


def members(unit, role, count=1):
    """The first `count` staff with this role in this office, by seniority; new ones are made
    for any missing, so a walk through the review never lacks the person a step needs."""
    people = list(
        get_user_model()
        .objects.filter(memberships__unit=unit, memberships__role=role)
        .order_by("pk")[:count]
    )
    while len(people) < count:
        user = UserFactory(username=f"{role}-{unit.code}-{secrets.token_hex(3)}")
        people.append(MembershipFactory(user=user, unit=unit, role=role).user)
    return people


def evidence_file(name="photo.jpg", size=(64, 48), color=(180, 40, 40)):
    """A small real photo (PNG when the name says so, else JPEG), checked as an upload is."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG" if name.endswith(".png") else "JPEG")
    return checks.process(name, out.getvalue())


def _party(party):
    return {"name": party, "description": "", "role": ""} if isinstance(party, str) else party


class ClueFactory(factory.Factory):
    """A clue as a citizen sends it, through submit_clue; `status` walks it on through the
    review (see `advance`, which `review` passes options to). Category and region may be
    given by slug and code. `parties` takes names or party dicts, `files` checked files,
    `photos` a number of small photos to add; `named=True` gives the fictional reporter.

    The clue returned carries `access_key`, which exists in clear nowhere else."""

    category = "gang-crime"
    region = "130203"
    what_happened = "（测试，虚构）菜市场有人强收“管理费”，不交就掀摊子。"
    when = Clue.When.UNKNOWN
    where = ""
    officials_shield = Clue.Shield.UNKNOWN
    parties = factory.LazyFunction(list)
    reporter = None
    files = factory.LazyFunction(list)
    photos = 0
    submission_token = factory.LazyFunction(lambda: f"factory-{secrets.token_hex(16)}")
    entry_code = ""
    # None: the channel the public form sets (web, or poster with an entry code). Another
    # channel stands for a clue staff entered.
    channel = None
    referring_body = ""
    # The staff member who entered a clue of another channel (its "report received" entry).
    taken_by = None
    # (kind, what happened): the reporter asks for protection with the report.
    protection = None
    language = "zh-hans"
    status = S.SUBMITTED
    to_unit = None
    review = factory.LazyFunction(dict)

    class Meta:
        model = Clue

    class Params:
        named = factory.Trait(reporter=factory.LazyFunction(lambda: dict(REPORTER)))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A clue exists only once stored: use ClueFactory() or clue_at().")

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        category,
        region,
        parties,
        reporter,
        files,
        photos,
        submission_token,
        entry_code,
        channel,
        referring_body,
        taken_by,
        protection,
        language,
        status,
        to_unit,
        review,
        **details,
    ):
        if isinstance(category, str):
            category = CategoryFactory(slug=category)
        if isinstance(region, str):
            region = RegionFactory(code=region)
        clue, key = submission.submit_clue(
            details={"category": category, "region": region, **details},
            parties=[_party(party) for party in parties],
            reporter=reporter,
            submission_token=submission_token,
            entry_code=entry_code,
            language=language,
            files=[*files, *(evidence_file(f"photo-{n + 1}.jpg") for n in range(photos))],
            channel=channel,
            referring_body=referring_body,
            taken_by=taken_by,
            protection=protection,
        )
        clue.access_key = key
        clue.clean()  # the staff form's rule: a referring body for referrals only
        if status != S.SUBMITTED:
            advance(clue, status, to_unit=to_unit, **review)
        return clue


def clue_at(status, **kwargs):
    """A new clue at `status`, in one call: ClueFactory(status=status, ...)."""
    return ClueFactory(status=status, **kwargs)


def advance(
    clue,
    status,
    *,
    to_unit=None,
    intake=None,
    verifier=None,
    signers=None,
    is_key=False,
    reason="insufficient",
    progress="",
    conclusion=None,
    feedback="已处理",
):
    """Move `clue` forward to `status` through the review functions, one step each, and
    refresh it. A clue is screened by the intake of its province's office (the national
    office's for no region) and sent to `to_unit`, by default its city's office, whose
    verifier and first signatories (as many as a conclusion needs) take it on; `intake`,
    `verifier` and `signers` name others. NOT_ACCEPTED is reached by rejecting a new clue
    for `reason`. `progress` adds a progress note before the conclusion; `conclusion` is a
    dict of finding, outcome and text; `feedback` is what the reporter is told."""
    if intake is None:
        province = clue.region and Region.objects.get(path=clue.region.path[: Region.steplen])
        (intake,) = members(unit_for(province), Role.INTAKE)
    if status == S.NOT_ACCEPTED:
        workflow.reject(clue, intake, reason=reason)
        clue.refresh_from_db()
        return clue
    start, end = PATH.index(clue.status), PATH.index(status)
    if end < start:
        raise ValueError(f"A clue at {clue.status} does not go back to {status}.")
    if to_unit is None and end >= PATH.index(S.TRANSFERRED):
        if clue.region is None:
            raise ValueError("A clue of no region needs a to_unit to be transferred to.")
        city = clue.region.path[: 2 * Region.steplen]
        to_unit = unit_for(Region.objects.get(path=city))
    if end >= PATH.index(S.ACKNOWLEDGED):
        verifier = verifier or members(to_unit, Role.VERIFIER)[0]
    if end >= PATH.index(S.CONCLUDED):
        signers = signers or members(to_unit, Role.SIGNATORY, count=SIGNATURES_REQUIRED)
    conclusion = conclusion or {"finding": "substantiated", "outcome": "criminal_case"}
    steps = {
        S.SCREENED: lambda: workflow.accept(clue, intake, is_key=is_key),
        S.TRANSFERRED: lambda: workflow.transfer(
            clue,
            intake,
            to_unit=to_unit,
            mode=Transfer.Mode.NORMAL,
            deadline=timezone.now() + timedelta(days=30),
        ),
        S.ACKNOWLEDGED: lambda: workflow.acknowledge(clue, verifier),
        S.VERIFYING: lambda: _verify(clue, verifier, progress, {"text": "属实", **conclusion}),
        S.CONCLUDED: lambda: [workflow.sign(clue, signer) for signer in signers],
        S.FEEDBACK: lambda: workflow.give_feedback(clue, verifier, text=feedback),
        S.CLOSED: lambda: workflow.close(clue, intake),
    }
    for reached in PATH[start + 1 : end + 1]:
        steps[reached]()
        clue.refresh_from_db()
    return clue


def _verify(clue, verifier, progress, conclusion):
    if progress:
        workflow.add_progress(clue, verifier, note=progress)
    workflow.draft_conclusion(clue, verifier, **conclusion)
