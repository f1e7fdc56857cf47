"""Email waiting to be sent. A notification is a row written in the same transaction as what
it announces, so a queue outage or a worker killed mid-send loses nothing: the worker sends
it, and the periodic job retries what is still unsent."""

from django.db import models
from django.utils import timezone


class OutgoingMail(models.Model):
    recipients = models.JSONField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.subject} ({len(self.recipients)})"
