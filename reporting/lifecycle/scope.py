"""Who may see which clue. Enforced here, in the query, so every view, export and download
that starts from visible_clues() is limited the same way, whatever URL is typed."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from reporting.models import Clue, Membership

Role = Membership.Role


def _path_prefixes(path, step=4):
    return [path[:end] for end in range(step, len(path) + 1, step)]


def in_jurisdiction(unit):
    """Clues whose region lies in the unit's region (the national office: all clues), less
    those sent for off-site verification away from the area this unit is in."""
    if unit.region_id is None:
        return Q()
    local = ~Q(off_site_local__in=_path_prefixes(unit.region.path))
    return Q(region__path__startswith=unit.region.path) & local


def units_covering(clue, prefix=""):
    """The SQL twin of covers(), from the units' side: a Q over units (or over a relation
    to them named by `prefix`, such as "unit__") matching those whose jurisdiction covers
    the clue. A unit covers it when its region is the clue's region or one above it: one of
    the clue's path prefixes, so the lookup is an index's, not a scan of every unit."""
    national = Q(**{f"{prefix}region__isnull": True})
    if clue.region_id is None:
        return national
    local = Q(**{f"{prefix}region__path__in": _path_prefixes(clue.region.path)})
    if clue.off_site_local:
        local &= ~Q(**{f"{prefix}region__path__startswith": clue.off_site_local})
    return national | local


def covers(unit, clue):
    """The Python twin of in_jurisdiction, for one clue already loaded."""
    if unit.region_id is None:
        return True
    if clue.region_id is None or not clue.region.path.startswith(unit.region.path):
        return False
    return not (clue.off_site_local and unit.region.path.startswith(clue.off_site_local))


def memberships(user):
    """The person's memberships with their units and regions, read once per user object:
    every clue of a page or of a bulk action is checked against them without a query."""
    if not hasattr(user, "_reporting_memberships"):
        user._reporting_memberships = list(
            user.memberships.select_related("unit__region") if user.is_authenticated else []
        )
    return user._reporting_memberships


def as_case_system(account, unit):
    """The account through which a unit's own case system acts (unitapi), as a verifier of
    that unit and nothing more, for this request. Given here, not stored as a membership:
    the account never appears among the unit's staff, is never sent their reminders, and
    holds no role once its key is revoked."""
    account._reporting_memberships = [Membership(user=account, unit=unit, role=Role.VERIFIER)]
    return account


def held_by(unit):
    """The clues a unit holds now: what its verifiers and signatories see, and all that its
    own case system reaches through the units' API (unitapi). Only while the clue is with the
    unit: a unit that passed it on (off-site, above) no longer follows it. `unit`: the unit
    or its primary key (the API has the key alone, and need not load the unit for it)."""
    return Q(unit=unit)


def unit_clues(unit, queryset=None):
    queryset = Clue.objects.all() if queryset is None else queryset
    return queryset.filter(held_by(unit))


def visible_clues(user, queryset=None):
    queryset = Clue.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for membership in memberships(user):
        unit = membership.unit
        if unit.region_id is None and membership.role in (Role.INTAKE, Role.SUPERVISOR):
            # The national office's jurisdiction is every clue. Said here, not left to
            # in_jurisdiction's empty Q(): OR-ed into a condition, an empty Q() vanishes.
            return queryset
        if membership.role == Role.INTAKE:
            condition |= in_jurisdiction(unit)
        elif membership.role in (Role.VERIFIER, Role.SIGNATORY):
            condition |= held_by(unit)
        elif membership.role == Role.SUPERVISOR:
            condition |= in_jurisdiction(unit) | (
                Q(unit__path__startswith=unit.path)
                & ~Q(off_site_local__in=_path_prefixes(unit.region.path) if unit.region_id else [])
            )
    return queryset.filter(condition)


def roles_on(user, clue):
    """The roles this person holds for this clue as it stands now."""
    roles = set()
    for membership in memberships(user):
        unit = membership.unit
        covers_region = covers(unit, clue)
        if membership.role == Role.INTAKE and covers_region:
            roles.add(Role.INTAKE)
        elif membership.role in (Role.VERIFIER, Role.SIGNATORY) and clue.unit_id == unit.pk:
            roles.add(membership.role)
        elif membership.role == Role.SUPERVISOR and (
            covers_region or (clue.unit_id and clue.unit.path.startswith(unit.path))
        ):
            roles.add(Role.SUPERVISOR)
    return roles


def intake_recipients(clue):
    """Intake reviewers whose jurisdiction covers the clue (a clue of unknown region: the
    national office's), and superusers: one query, however many units there are."""
    intake = Membership.objects.filter(
        Q(role=Membership.Role.INTAKE) & units_covering(clue, prefix="unit__")
    )
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    staff = users.filter(Q(is_superuser=True) | Q(pk__in=intake.values("user_id")))
    return sorted(set(staff.values_list("email", flat=True)))


def entry_regions(user):
    """Where this person may enter a clue staff took (by phone, letter, visit or referral):
    None for anywhere, a clue of unknown region included (superusers and the national
    office's intake), else the regions at the top of their intake offices' jurisdictions
    (empty: they may enter none). The same jurisdiction that decides which clues their
    intake role sees, so they enter only clues they will screen."""
    if user.is_superuser:
        return None
    regions = []
    for membership in memberships(user):
        if membership.role != Role.INTAKE:
            continue
        if membership.unit.region_id is None:
            return None
        regions.append(membership.unit.region)
    return regions
