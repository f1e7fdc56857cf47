"""Where a clue may be transferred, by whom, in which mode: written once, as queries over
units. The transfer service refuses any other unit (review.py), and the transfer form offers
only these (forms.py), so a person never picks a unit that would be refused and a forged
choice is refused all the same."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reporting.lifecycle.scope import memberships
from reporting.models import Membership, Transfer, Unit

Mode, Role = Transfer.Mode, Membership.Role

# Why a unit outside the rule is refused, for each mode.
REFUSALS = {
    Mode.DIRECT_REVIEW: _("Direct review goes to the national office."),
    Mode.UPGRADE: _("An upgrade goes to a unit above the one holding the clue."),
    Mode.OFF_SITE: _("Off-site verification goes to a unit outside the clue's city."),
    Mode.NORMAL: _("A transfer goes to a unit below the one that sends it."),
    Mode.LISTED: _("A transfer goes to a unit below the one that sends it."),
}
NOWHERE = Q(pk__in=[])


def _prefixes(path, step=Unit.steplen):
    return [path[:end] for end in range(step, len(path) + 1, step)]


def local_area(region):
    """The local network an off-site verification keeps out: the clue's city (or its
    province, for a clue known only by province), everything in it and everything above."""
    return region if region.depth <= 2 else region.get_ancestors().get(depth=2)


def local_area_path(region):
    """local_area(region).path, read off the region's own path: the city is the path's
    first two steps. No query, so a bulk transfer checks a thousand clues without one each."""
    return region.path[: 2 * region.steplen]


def allowed(clue, user, mode):
    """A Q over units: where this person may send this clue in this mode. The unit holding
    the clue is never among them."""
    current = clue.unit
    if mode == Mode.DIRECT_REVIEW:
        rule = Q(depth=1)
    elif mode == Mode.UPGRADE:
        rule = Q(path__in=_prefixes(current.path)) if current else NOWHERE
    elif mode == Mode.OFF_SITE:
        if clue.region is None:
            return NOWHERE
        local = local_area(clue.region).path
        rule = (
            Q(region__isnull=False)
            & ~Q(region__path__in=_prefixes(local))
            & ~Q(region__path__startswith=local)
        )
    elif user.is_superuser and current is None:
        # Not Q(): OR-ed with another condition, an empty Q() vanishes.
        rule = Q(pk__isnull=False)
    else:
        # Normal transfers and listed supervision go down the tree from whoever sends them:
        # the unit holding the clue, or, before any unit does, the sender's intake office.
        senders = (
            [current.path]
            if current
            else list(
                user.memberships.filter(role__in=[Role.INTAKE, Role.SUPERVISOR]).values_list(
                    "unit__path", flat=True
                )
            )
        )
        rule = NOWHERE
        for path in senders:
            rule |= Q(path__startswith=path)
    return rule & ~Q(pk=current.pk) if current else rule


def allows(clue, user, mode, unit):
    """The Python twin of allowed(), for one unit already loaded (with its region): whether
    this person may send this clue there in this mode. The transfer service asks this, so a
    bulk transfer checks each clue without a query; tests hold the twins to one answer."""
    current = clue.unit
    if current is not None and unit.pk == current.pk:
        return False
    if mode == Mode.DIRECT_REVIEW:
        return unit.depth == 1
    if mode == Mode.UPGRADE:
        return current is not None and unit.path in _prefixes(current.path)
    if mode == Mode.OFF_SITE:
        if clue.region is None or unit.region is None:
            return False
        local = local_area_path(clue.region)
        return unit.region.path not in _prefixes(local) and not unit.region.path.startswith(local)
    if user.is_superuser and current is None:
        return True
    if current is not None:
        senders = [current.path]
    else:
        senders = [
            membership.unit.path
            for membership in memberships(user)
            if membership.role in (Role.INTAKE, Role.SUPERVISOR)
        ]
    return any(unit.path.startswith(path) for path in senders)


def offered(clue, user):
    """Every unit this person may send this clue to, in one mode or another, as a tree."""
    rule = NOWHERE
    for mode in Mode.values:
        rule |= allowed(clue, user, mode)
    return Unit.get_tree().filter(rule)
