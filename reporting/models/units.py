"""Offices that handle clues, and the staff who work in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from treebeard.mp_tree import MP_Node

from .reference import BilingualName, Region


class Unit(BilingualName, MP_Node):
    """An office in the tree: the national office, provinces, cities, counties. A unit's
    jurisdiction is its region and everything under it (the national office: everywhere)."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("national office")
        PROVINCE = "province", _("provincial office")
        CITY = "city", _("city office")
        COUNTY = "county", _("county office")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("Empty for the national office, whose jurisdiction is everywhere."),
    )
    email = models.EmailField(_("notification email"), blank=True)
    webhook_url = models.URLField(_("webhook address"), blank=True)
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=128, blank=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def clean(self):
        super().clean()
        if self.webhook_url and len(self.webhook_secret) < 16:
            # An unsigned or weakly signed request could be forged by anyone.
            raise ValidationError(
                {"webhook_secret": _("A webhook needs a signing secret of 16 characters or more.")}
            )


class Membership(models.Model):
    """A staff member's role in a unit. Roles are also Django groups (for admin permissions);
    the membership says where the role applies."""

    class Role(models.TextChoices):
        INTAKE = "intake", _("intake reviewer")
        VERIFIER = "verifier", _("verifier")
        SIGNATORY = "signatory", _("signatory")
        SUPERVISOR = "supervisor", _("supervisor")
        # Assesses and pays reporters' reward claims (the rewards app).
        REWARDS = "rewards", _("reward officer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
