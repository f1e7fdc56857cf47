"""A forgotten password: the reset link goes by mail, and asking for it tells nothing.

The request does the same work whatever address is typed: it counts the request, looks the
address up (one cheap query) and queues one task with the ids found, none for an unknown
address. The costly part (the token, the rendering, the mail) is the worker's, so the answer's
time does not say whether the address belongs to someone.

Requests are limited per address and per client (keyed hashes in the cache, never the
address or the client's address); a refused request is answered like any other and logged
without either.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language, override

from django_tasks import task

from portal.clients import client_address, count_in_window, keyed_digest
from reporting.outbox import queue_mail

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "wagtailadmin/account/password_reset/email_subject.txt"
BODY_TEMPLATE = "wagtailadmin/account/password_reset/email.txt"


def _within_limit(kind, value, limit):
    """Count one request for `value`; False once more than `limit` came within the window,
    which starts at the first request counted."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    digest = keyed_digest(f"password-reset-{kind}", value).hexdigest()[:32]
    key = f"password-reset:{kind}:{digest}"
    return count_in_window(key, window) <= limit


def _refused(which, limit):
    # Neither the address nor the client: only which limit, to tell a flood from a mistake.
    logger.warning(
        "password reset not sent: more than %s requests %s within %s minutes",
        limit,
        which,
        settings.PASSWORD_RESET_WINDOW_MINUTES,
    )


def request_reset(request, email, find_users):
    """Queue the reset mail for the accounts `find_users(email)` gives, unless the address or
    the client asked too often. Returns whether it was queued; the caller answers the same
    either way."""
    # Counted before the lookup, for any address: were only known addresses counted, the
    # refused (quicker) answer to a fourth request would tell them apart.
    client_ok = _within_limit(
        "client", client_address(request), settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    )
    address_ok = _within_limit(
        "address", email.strip().casefold(), settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
    if not address_ok:
        _refused("for one address", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS)
        return False
    if not client_ok:
        _refused("from one client", settings.PASSWORD_RESET_LIMIT_PER_CLIENT)
        return False
    user_ids = [user.pk for user in find_users(email)]
    send_reset_mail.enqueue(user_ids, get_language() or settings.LANGUAGE_CODE)
    return True


def reset_mail(user):
    """Subject and body of the reset mail, in the active language: Wagtail's templates, the
    link on the portal's own address (never the Host header a client sent)."""
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    context = {
        "email": user.email,
        "domain": base.netloc,
        "protocol": base.scheme,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
    }
    subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
    return subject.strip(), loader.render_to_string(BODY_TEMPLATE, context)


@task()
def send_reset_mail(user_ids, language):
    """In the worker: a reset link for each account still active with a password, through
    the outbox (sent after the commit, retried until it goes). No ids, no mail."""
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        if not user.has_usable_password() or not user.email:
            continue
        with override(language):
            subject, body = reset_mail(user)
        with transaction.atomic():
            queue_mail([user.email], subject, body)
