"""The outbox, for the other apps' mail: a message written in the caller's transaction and
sent by the worker after the commit; the periodic job retries what is still unsent
(jobs/mail.py). The caller renders subject and body in the language it wants."""

from reporting.jobs.mail import queue_mail as _queue_mail

__all__ = ["queue_mail"]


def queue_mail(recipients, subject, body):
    """Queue one message to `recipients`; returns the outbox row (None without recipients)."""
    return _queue_mail(recipients, subject, body)
