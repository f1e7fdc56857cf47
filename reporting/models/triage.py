"""Triage at volume: one staff action over many clues, done clue by clue by the worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BulkJob(models.Model):
    """A bulk action asked for in the queue. Each clue goes through the same transition rules
    as a single action and is done or refused on its own; the job keeps the count of each
    and why each refused clue was refused, for the page that shows its progress."""

    class Action(models.TextChoices):
        NOT_ACCEPTED = "reject", _("Do not accept")
        DUPLICATE = "duplicate", _("Mark as duplicates")
        TRANSFER = "transfer", _("Transfer to a unit")
        KEY = "mark_key", _("Mark as key clues")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("finished")
        FAILED = "failed", _("stopped by an error")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the action needs (a reason, the clue duplicated, a unit, a mode, a deadline), as
    # the form cleaned it: ids and ISO dates.
    arguments = models.JSONField(default=dict)
    # The clues chosen, fixed when the job was asked for: a filter's matches may change
    # while the worker goes through them.
    clue_ids = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("clues"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    succeeded = models.PositiveIntegerField(_("done"), default=0)
    # [{"clue": pk, "tracking_number": "...", "reason": "..."}] in the order met.
    refusals = models.JSONField(default=list)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")

    def __str__(self):
        return f"{self.get_action_display()} ({self.total})"
