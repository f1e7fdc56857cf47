"""Protection requests: a reporter who fears retaliation, or has suffered it, asks for
protection. What they tell, the measures staff take and the answer are sealed at rest as a
named reporter's identity is (reporting.evidence.crypto); the rules are in
reporting/lifecycle/protection.py."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clues import Clue


class ProtectionRequest(models.Model):
    class Kind(models.TextChoices):
        FEAR = "fear", _("I fear retaliation")
        SUFFERED = "suffered", _("I have suffered retaliation")

    class Source(models.TextChoices):
        REPORT = "report", _("the report form")
        STATUS_PAGE = "status_page", _("the status page")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="protection_requests")
    # "suffered" once any message of the request says so.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("asked on"), max_length=12, choices=Source.choices)
    # The reporter's messages, [{"at", "kind", "text"}], encrypted together; never in clear,
    # never in logs, never in an export.
    messages_sealed = models.BinaryField(editable=False)
    # What staff did, [{"at", "by", "text"}], encrypted together.
    measures_sealed = models.BinaryField(null=True, blank=True, editable=False)
    # What the reporter reads on the status page, encrypted.
    answer_sealed = models.BinaryField(null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The one reminder the periodic deadline check sends once it is overdue.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the clue's retention period ran out (reporting/jobs/retention.py).
    content_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("protection request")
        verbose_name_plural = _("protection requests")
        constraints = [
            # A second message while one is open is added to it (lifecycle/protection.py); the
            # database refuses a second open one even from two requests at once.
            models.UniqueConstraint(
                fields=["clue"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_protection_request",
            )
        ]
        # Only the default permissions: view_protectionrequest is the supervisors' (roles.py).

    def __str__(self):
        return f"{self.clue} {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.answered_at is None

    def is_overdue(self, now=None):
        return self.answered_at is None and (now or timezone.now()) > self.due_at
