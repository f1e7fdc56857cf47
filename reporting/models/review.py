"""The review of a clue: transfers to units, conclusions and their signatures."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clues import Clue
from .units import Unit

SIGNATURES_REQUIRED = 3  # the "three chiefs" responsibility system


class Transfer(models.Model):
    class Mode(models.TextChoices):
        NORMAL = "normal", _("normal transfer")
        UPGRADE = "upgrade", _("upgrade (a higher unit takes over)")
        OFF_SITE = "off_site", _("off-site verification")
        DIRECT_REVIEW = "direct_review", _("direct review by the national office")
        LISTED = "listed", _("listed supervision")

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    deadline = models.DateTimeField(_("verify by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        # The statistics read the transfers and the conclusions of a period.
        indexes = [models.Index(fields=["created_at"], name="transfer_created_at")]

    def __str__(self):
        return f"{self.clue} → {self.to_unit}"


class Conclusion(models.Model):
    class Finding(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("substantiated")
        PARTLY = "partly", _("partly substantiated")
        UNSUBSTANTIATED = "unsubstantiated", _("unsubstantiated")

    class Outcome(models.TextChoices):
        CRIMINAL_CASE = "criminal_case", _("criminal case filed")
        ADMINISTRATIVE_CASE = "administrative_case", _("administrative case")
        DISCIPLINE = "discipline", _("referred to discipline inspection")
        NO_ACTION = "no_action", _("no action")

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="conclusions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    text = models.TextField(_("conclusion"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the last required signature is given; until then the conclusion does not stand.
    stood_at = models.DateTimeField(null=True, blank=True)
    # Set when the clue moves on (a transfer) before this conclusion stood: it and its
    # signatures then belong to the past and can never be completed.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        indexes = [models.Index(fields=["stood_at"], name="conclusion_stood_at")]

    def __str__(self):
        return f"{self.clue}: {self.get_finding_display()}"


class Signature(models.Model):
    conclusion = models.ForeignKey(Conclusion, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conclusion", "signer"], name="one_signature_each")
        ]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self):
        return f"{self.conclusion} · {self.signer}"
