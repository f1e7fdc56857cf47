"""Reward claims (举报奖励): a reporter whose clue led to a case claims with the receipt alone;
a reward officer assesses it against a band; three signatories decide; the reporter accepts
or asks once for a review; staff record the payment."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reporting.models import BilingualName, Clue, Unit

# No band, and so no reward, above this many yuan: a typo of a few zeros is refused.
MAX_AMOUNT = 10_000_000


class RewardBand(BilingualName):
    """A level of contribution and the amounts it may be paid, in whole yuan."""

    lowest = models.PositiveIntegerField(
        _("lowest amount (yuan)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)]
    )
    highest = models.PositiveIntegerField(
        _("highest amount (yuan)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)],
    )
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["lowest", "pk"]
        verbose_name = _("reward band")
        verbose_name_plural = _("reward bands")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lowest__gte=1) & models.Q(lowest__lte=models.F("highest")),
                name="reward_band_range",
            )
        ]

    def clean(self):
        super().clean()
        if self.lowest is not None and self.highest is not None and self.lowest > self.highest:
            raise ValidationError(
                {"highest": _("The highest amount cannot be below the lowest amount.")}
            )

    @property
    def description_label(self):
        return self.description_en if get_language() == "en" else self.description

    def __str__(self):
        return f"{self.label} ({self.lowest}–{self.highest})"


class SharedAward(models.Model):
    """One award shared by the reporters of one case: claims on clues of the same repeat
    cluster, concluded by the same unit. Its band bounds the sum of the shares; each claim
    holds its own share, and one set of signatures decides them all."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shared award")
        verbose_name_plural = _("shared awards")

    def __str__(self):
        return f"{self.unit} #{self.pk}"


class Claim(models.Model):
    """One claim per clue. Bank details, when given, are sealed at rest and erased once paid;
    an anonymous reporter is never asked for anything else."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("collect in person")
        BANK_TRANSFER = "bank_transfer", _("bank transfer")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("claimed, waiting for assessment")
        PROPOSED = "proposed", _("assessed, waiting for signatures")
        DECIDED = "decided", _("decided, waiting for the reporter")
        ACCEPTED = "accepted", _("accepted by the reporter")
        REVIEW_REQUESTED = "review_requested", _("review asked by the reporter")
        REVIEWED = "reviewed", _("reviewed")
        PAID = "paid", _("paid")

    # What may be paid: accepted, or settled by the review (there is no second one).
    PAYABLE = (Status.ACCEPTED, Status.REVIEWED)
    # Waiting for the unit: REWARD_ASSESSMENT_DAYS runs against these.
    UNDECIDED = (Status.CLAIMED, Status.PROPOSED)

    clue = models.OneToOneField(Clue, on_delete=models.PROTECT, related_name="reward_claim")
    # The unit that concluded the clue: its reward officers assess, its signatories decide.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reward_claims")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CLAIMED
    )
    method = models.CharField(_("payment method"), max_length=20, choices=Method.choices)
    # Account holder, bank and account number, encrypted together (reporting.evidence.crypto).
    payment_sealed = models.BinaryField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)

    band = models.ForeignKey(
        RewardBand, verbose_name=_("band"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a shared award, this claim's share; the band bounds the sum of the shares.
    amount = models.PositiveIntegerField(_("amount (yuan)"), null=True)
    award = models.ForeignKey(
        SharedAward,
        verbose_name=_("shared award"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims",
    )
    reason = models.TextField(_("reason"), blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)

    review_request = models.TextField(_("the reporter's reason for a review"), blank=True)
    review_requested_at = models.DateTimeField(null=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(_("outcome of the review"), blank=True)
    reviewed_at = models.DateTimeField(null=True)

    paid_on = models.DateField(_("paid on"), null=True)
    paid_how = models.CharField(_("paid how"), max_length=20, choices=Method.choices, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_details_erased_at = models.DateTimeField(null=True)

    # Set once each by the periodic deadline check (rewards/deadlines.py): the reminder to the
    # unit and the escalation above go out once, however often the check runs.
    overdue_since = models.DateTimeField(_("assessment overdue since"), null=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, editable=False)

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        verbose_name = _("reward claim")
        verbose_name_plural = _("reward claims")

    def __str__(self):
        return str(self.clue)

    @property
    def assess_by(self):
        return self.claimed_at + timedelta(days=settings.REWARD_ASSESSMENT_DAYS)

    @property
    def awaiting_decision(self):
        return self.status in self.UNDECIDED

    def is_overdue(self, now=None):
        return self.awaiting_decision and (now or timezone.now()) > self.assess_by


class RewardSignature(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "signer"], name="one_reward_signature_each")
        ]

    def __str__(self):
        return f"{self.claim} · {self.signer}"
