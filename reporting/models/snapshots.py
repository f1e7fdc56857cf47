"""Stored statistics of the standard periods, so a supervisor's usual page is read, not
counted (reporting.snapshots computes them in the task worker)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .units import Unit


class StatisticsSnapshot(models.Model):
    """The statistics page's figures of one unit's subtree for one period (whole days,
    `end` included, all categories), as counted at `computed_at`. Units and categories are
    stored by id, so the page labels them in the reader's language."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to (inclusive)"))
    computed_at = models.DateTimeField(_("computed at"))
    figures = models.JSONField(_("figures"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "start", "end"], name="unique_statistics_snapshot"
            )
        ]
        verbose_name = _("supervision statistics snapshot")
        verbose_name_plural = _("supervision statistics snapshots")

    def __str__(self):
        return f"{self.unit_id} {self.start}..{self.end} @ {self.computed_at:%Y-%m-%d %H:%M}"
