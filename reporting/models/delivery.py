"""Forwarding a transfer to the receiving unit's own system, retried until it is delivered or
a supervisor is told it failed."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .review import Transfer


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be delivered")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed: supervisors told")

    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="delivery")
    url = models.URLField(_("address"))
    # Sent with every attempt, so the receiver counts a retried delivery once.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker claims a delivery for a while before it sends, so two workers never send at
    # once, and a worker killed mid-send leaves a claim that simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The operators' figures read only the deliveries not delivered (reporting.metrics),
            # a few among the many delivered: a scrape reads them off this, not the table.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(status="delivered"),
                name="delivery_not_delivered",
            ),
        ]

    def __str__(self):
        return f"{self.transfer} · {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
