"""Who may see and act on which claim. The claim's unit is the unit that concluded the clue:
its reward officers assess and pay, its signatories sign, the supervisors of it or of a unit
above watch it, and supervisors of a unit above review it. Administrators may do all."""

from django.db.models import Q

from reporting.lifecycle.scope import memberships as _memberships
from reporting.models import Membership

from .models import Claim

Role = Membership.Role


def visible_claims(user, queryset=None):
    queryset = Claim.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for membership in _memberships(user):
        if membership.role in (Role.REWARDS, Role.SIGNATORY):
            condition |= Q(unit=membership.unit)
        elif membership.role == Role.SUPERVISOR:
            condition |= Q(unit__path__startswith=membership.unit.path)
    return queryset.filter(condition)


def sees_claims(user):
    """Whether the admin menu offers the claims to this person."""
    return user.is_superuser or any(
        m.role in (Role.REWARDS, Role.SIGNATORY, Role.SUPERVISOR) for m in _memberships(user)
    )


def _holds(user, role, unit):
    return any(m.role == role and m.unit_id == unit.pk for m in _memberships(user))


def _supervises(user, unit, *, strictly_above=False):
    for m in _memberships(user):
        if m.role != Role.SUPERVISOR or not unit.path.startswith(m.unit.path):
            continue
        if not strictly_above or m.unit.path != unit.path:
            return True
    return False


def may_assess(user, claim):
    """Assess a claim and record its payment."""
    return (
        user.is_superuser
        or _holds(user, Role.REWARDS, claim.unit)
        or _supervises(user, claim.unit)
    )


def may_sign(user, claim):
    return _holds(user, Role.SIGNATORY, claim.unit)


def may_review(user, claim):
    """The review the reporter asked for goes to the supervisors above the unit."""
    return user.is_superuser or _supervises(user, claim.unit, strictly_above=True)
