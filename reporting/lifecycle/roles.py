"""Staff roles: a Django group each (what the admin lets them open) and a unit membership
(where the role applies). scope.py turns memberships into the clues a person may see."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

from reporting.models import Membership

Role = Membership.Role

GROUP_NAMES = {
    Role.INTAKE: "Intake reviewers",
    Role.VERIFIER: "Verifiers",
    Role.SIGNATORY: "Signatories",
    Role.SUPERVISOR: "Supervisors",
    Role.REWARDS: "Reward officers",
}
GROUP_LABELS = {  # for people: the group names above stay stable for code and data
    Role.INTAKE: _("Intake reviewers"),
    Role.VERIFIER: _("Verifiers"),
    Role.SIGNATORY: _("Signatories"),
    Role.SUPERVISOR: _("Supervisors"),
    Role.REWARDS: _("Reward officers"),
}
COMMON = ["wagtailadmin.access_admin", "reporting.view_clue"]
EXTRA = {
    Role.INTAKE: ["reporting.reveal_reporter"],
    Role.VERIFIER: [],
    Role.SIGNATORY: [],
    Role.SUPERVISOR: [
        "reporting.reveal_reporter",
        "reporting.download_original_evidence",
        "reporting.view_ledgerentry",
        # Only for the requests routed to them (lifecycle/protection.py).
        "reporting.view_protectionrequest",
    ],
    Role.REWARDS: [],
}


def _permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_groups(**kwargs):
    """post_migrate: the role groups exist with their permissions."""
    # This handler can run before Django creates the permissions of these apps.
    for label in ("wagtailadmin", "reporting"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(p) for p in COMMON + EXTRA[role]])


def add_member(user, unit, role):
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


def sync_group(sender, instance, **kwargs):
    """post_save / post_delete of a membership: the person is in a role's group exactly while
    they hold that role in some unit."""
    group = Group.objects.get(name=GROUP_NAMES[instance.role])
    holds = Membership.objects.filter(user=instance.user, role=instance.role).exists()
    if holds:
        instance.user.groups.add(group)
        if not instance.user.is_staff:
            instance.user.is_staff = True
            instance.user.save(update_fields=["is_staff"])
    else:
        instance.user.groups.remove(group)
