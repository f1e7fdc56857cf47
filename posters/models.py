"""Entry points: one per printed poster (or sticker, or leaflet), each with a code that lives
as long as the paper does."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: the code is printed under the QR code for people who type it.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
# Room for longer codes later; what the database column holds.
CODE_MAX_LENGTH = 12


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value):
    """Codes are printed in capitals; a person typing the short URL may not use them."""
    return value.strip().upper()


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})


class EntryPoint(models.Model):
    class Target(models.TextChoices):
        REPORT = "report", _("the report form")
        PAGE = "page", _("a page of the site")

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"), max_length=CODE_MAX_LENGTH, unique=True, default=new_code, editable=False
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        help_text=_(
            "Where the poster hangs. Printed in small print, so staff can tell posters apart."
        ),
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        # Deleting a campaign only ungroups its posters; their codes and figures stay.
        on_delete=models.SET_NULL,
        related_name="entry_points",
    )
    target = models.CharField(
        _("opens"), max_length=10, choices=Target.choices, default=Target.REPORT
    )
    category = models.ForeignKey(
        "reporting.Category",
        verbose_name=_("preselected category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        "reporting.Region",
        verbose_name=_("preselected region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        # A deleted page must not break a printed code: it then opens the report form.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "A switched-off code still works: it opens the report form with a short "
            "notice, and its scans are still counted."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "name"]
        verbose_name = _("entry point")
        verbose_name_plural = _("entry points")

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.target == self.Target.PAGE and self.page_id is None:
            raise ValidationError({"page": _("Choose the page this code opens.")})


class ScanDay(models.Model):
    """Scans of one code on one day: a counter, nothing about who scanned."""

    entry_point = models.ForeignKey(EntryPoint, on_delete=models.CASCADE, related_name="scans")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("scans"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry_point", "day"], name="one_counter_per_day")
        ]
        ordering = ["-day"]
        verbose_name = _("scans on a day")
        verbose_name_plural = _("scans per day")

    def __str__(self):
        return f"{self.entry_point.code} {self.day}: {self.count}"
