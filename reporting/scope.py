"""Who may see which clue. Enforced here, in the query, so every view, export and download
that starts from visible_clues() is limited the same way, whatever URL is typed."""

from django.db.models import Exists, OuterRef, Q

from .models import Clue, Membership, Transfer

Role = Membership.Role


def in_jurisdiction(unit):
    """Clues whose region lies in the unit's region (the national office: all clues)."""
    if unit.region_id is None:
        return Q()
    return Q(region__path__startswith=unit.region.path)


def _memberships(user):
    if not hasattr(user, "_reporting_memberships"):
        user._reporting_memberships = list(
            user.memberships.select_related("unit__region") if user.is_authenticated else []
        )
    return user._reporting_memberships


def visible_clues(user, queryset=None):
    queryset = Clue.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for membership in _memberships(user):
        unit = membership.unit
        if membership.role == Role.INTAKE:
            condition |= in_jurisdiction(unit)
        elif membership.role in (Role.VERIFIER, Role.SIGNATORY):
            condition |= Q(Exists(Transfer.objects.filter(clue=OuterRef("pk"), to_unit=unit)))
        elif membership.role == Role.SUPERVISOR:
            condition |= in_jurisdiction(unit) | Q(unit__path__startswith=unit.path)
    return queryset.filter(condition)


def roles_on(user, clue):
    """The roles this person holds for this clue as it stands now."""
    roles = set()
    for membership in _memberships(user):
        unit = membership.unit
        covers_region = unit.region_id is None or (
            clue.region_id is not None and clue.region.path.startswith(unit.region.path)
        )
        if membership.role == Role.INTAKE and covers_region:
            roles.add(Role.INTAKE)
        elif membership.role in (Role.VERIFIER, Role.SIGNATORY) and clue.unit_id == unit.pk:
            roles.add(membership.role)
        elif membership.role == Role.SUPERVISOR and (
            covers_region or (clue.unit_id and clue.unit.path.startswith(unit.path))
        ):
            roles.add(Role.SUPERVISOR)
    return roles
