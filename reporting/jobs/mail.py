"""Notifications by email, through the outbox (models/outbox.py). Messages carry links,
never clue content or reporters' details."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import override

from django_tasks import task

from reporting.models import OutgoingMail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def queue_mail(recipients, subject, body, *, enqueue=True):
    """Write the message in the current transaction; the worker sends it after the commit.
    Subject and body are rendered in the portal's default language. With enqueue=False the
    caller sends it (a new clue's follow-up does, already in the worker)."""
    recipients = sorted(set(recipients))
    if not recipients:
        return None
    with override(settings.LANGUAGE_CODE):
        mail = OutgoingMail.objects.create(
            recipients=recipients, subject=str(subject), body=str(body)
        )
    if enqueue:
        transaction.on_commit(lambda: send_later(mail), robust=True)
    return mail


def send_later(mail):
    send_mail_from_outbox.enqueue(mail.pk)


def send(mail_id):
    """Send one message if it is still unsent; a failure is counted and retried later."""
    mail = OutgoingMail.objects.filter(pk=mail_id, sent_at=None).first()
    if mail is None:
        return False
    try:
        send_mail(mail.subject, mail.body, None, mail.recipients)
    except (OSError, smtplib.SMTPException) as error:
        OutgoingMail.objects.filter(pk=mail.pk).update(
            attempts=F("attempts") + 1, last_error=str(error)[:300]
        )
        logger.warning("mail %s not sent (%s); the periodic job retries it", mail.pk, error)
        return False
    OutgoingMail.objects.filter(pk=mail.pk, sent_at=None).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


def send_unsent():
    """The periodic job's pass over messages a lost task or a mail outage left behind."""
    sent = 0
    for mail_id in OutgoingMail.objects.filter(
        sent_at=None, attempts__lt=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        sent += send(mail_id)
    return sent


@task()
def send_mail_from_outbox(mail_id):
    return send(mail_id)
