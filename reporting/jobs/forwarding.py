"""Forwarding transfers to the receiving unit's system (a webhook) and telling its staff.

The payload carries no clue content and no reporter: the receiving system learns that a clue
was transferred to it, with a link to read it in the portal. Each request is signed with
HMAC-SHA256 over "<timestamp>.<body>" with the unit's secret, and carries an idempotency key
that stays the same across retries. See docs/forwarding.md.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

import requests
from django_tasks import task

from reporting.jobs.mail import queue_mail
from reporting.lifecycle.ledger import record
from reporting.models import Delivery, DeliveryAttempt, LedgerEntry, Membership

logger = logging.getLogger(__name__)


def clue_admin_url(clue):
    return settings.PORTAL_BASE_URL + reverse("clues:inspect", args=[clue.pk])


# Links other apps add to the webhook payload, {name: function of the clue giving a URL}:
# the units' API (unitapi) adds where the case system reads the clue.
_payload_links = {}


def add_payload_link(name, link):
    _payload_links[name] = link


def payload(delivery):
    transfer = delivery.transfer
    clue = transfer.clue
    return {
        **{name: link(clue) for name, link in _payload_links.items()},
        "event": "clue.transferred",
        "idempotency_key": str(delivery.idempotency_key),
        "tracking_number": clue.tracking_number,
        "unit": transfer.to_unit.code,
        "mode": transfer.mode,
        "deadline": transfer.deadline.isoformat(),
        "key_clue": clue.is_key,
        "category": clue.category.slug,
        "region": clue.region.code if clue.region_id else None,
        "url": clue_admin_url(clue),
    }


def signature(secret, timestamp, body):
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _claim(delivery_id):
    """Take the delivery for this worker, or None when it is done or another worker has it."""
    now = timezone.now()
    claimed = (
        # Not before its time: a second queued copy of the task must not skip the backoff.
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .exclude(claimed_until__gt=now)
        .update(claimed_until=now + timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS))
    )
    if not claimed:
        return None
    return Delivery.objects.select_related(
        "transfer__clue__category", "transfer__clue__region", "transfer__to_unit"
    ).get(pk=delivery_id)


def attempt(delivery_id):
    """One delivery attempt. Returns the seconds to wait before the next one, or None."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    unit = delivery.transfer.to_unit
    body = json.dumps(payload(delivery), sort_keys=True, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": str(delivery.idempotency_key),
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": "sha256=" + signature(unit.webhook_secret, timestamp, body),
    }
    status_code, error = None, ""
    if len(unit.webhook_secret) < 16:
        # Unsigned requests could be forged by anyone; this is a configuration error to fix.
        return _settle(delivery, False, None, "the unit has no webhook signing secret")
    try:
        response = requests.post(
            delivery.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,  # a redirect is not a delivery
        )
        status_code = response.status_code
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    delivered = status_code is not None and 200 <= status_code < 300
    return _settle(delivery, delivered, status_code, error or f"HTTP {status_code}")


@transaction.atomic
def _settle(delivery, delivered, status_code, error):
    DeliveryAttempt.objects.create(
        delivery=delivery, status_code=status_code, error="" if delivered else error
    )
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    delivery.refresh_from_db()
    clue = delivery.transfer.clue
    if delivered:
        delivery.status = Delivery.Status.DELIVERED
        delivery.claimed_until = None
        delivery.save(update_fields=["status", "claimed_until"])
        record(
            clue,
            LedgerEntry.Action.FORWARDED,
            unit=delivery.transfer.to_unit,
            note=f"{status_code}",
        )
        return None
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.claimed_until = None
        delivery.save(update_fields=["status", "claimed_until"])
        record(
            clue, LedgerEntry.Action.FORWARDING_FAILED, unit=delivery.transfer.to_unit, note=error
        )
        tell_supervisors_delivery_failed(delivery)
        return None
    if delivery.attempts == settings.WEBHOOK_ALERT_AFTER_ATTEMPTS:
        # Once per delivery (the count passes this number once): the unit's system has been
        # unreachable for a while and someone should look before the retries run out.
        tell_supervisors_delivery_delayed(delivery, error)
    wait = settings.WEBHOOK_FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
    delivery.claimed_until = None
    delivery.save(update_fields=["next_attempt_at", "claimed_until"])
    logger.warning("delivery %s failed (%s); retrying in %ss", delivery.pk, error, wait)
    return wait


def supervisors_of(unit):
    """Supervisors of the unit and of every unit above it."""
    units = [unit, *unit.get_ancestors()]
    return sorted(
        set(
            Membership.objects.filter(unit__in=units, role=Membership.Role.SUPERVISOR)
            .exclude(user__email="")
            .filter(user__is_active=True)
            .values_list("user__email", flat=True)
        )
    )


def tell_supervisors_delivery_failed(delivery):
    """Queue the alert in the caller's transaction (the delivery's failure)."""
    recipients = supervisors_of(delivery.transfer.to_unit)
    if not recipients:
        logger.error("delivery %s failed and the unit has no supervisor to tell", delivery.pk)
        return
    with override(settings.LANGUAGE_CODE):
        queue_mail(
            recipients,
            _("A transfer could not be forwarded"),
            _(
                "A transfer to %(unit)s could not be delivered to its system after %(count)s "
                "attempts. The unit's staff were emailed; check it here:\n%(url)s"
            )
            % {
                "unit": delivery.transfer.to_unit.label,
                "count": delivery.attempts,
                "url": clue_admin_url(delivery.transfer.clue),
            },
        )


def tell_supervisors_delivery_delayed(delivery, error):
    """Queue the early warning in the caller's transaction (the failed attempt's)."""
    recipients = supervisors_of(delivery.transfer.to_unit)
    if not recipients:
        logger.error("delivery %s is failing and the unit has no supervisor to tell", delivery.pk)
        return
    with override(settings.LANGUAGE_CODE):
        queue_mail(
            recipients,
            _("A transfer is not reaching its unit's system"),
            _(
                "A transfer to %(unit)s has failed to reach its system %(count)s times "
                "(last answer: %(error)s). The portal keeps trying, up to %(limit)s attempts; "
                "please ask the unit to check its system. The clue:\n%(url)s"
            )
            % {
                "unit": delivery.transfer.to_unit.label,
                "count": delivery.attempts,
                "error": error,
                "limit": settings.WEBHOOK_MAX_ATTEMPTS,
                "url": clue_admin_url(delivery.transfer.clue),
            },
        )


def _unit_recipients(unit):
    recipients = set(
        Membership.objects.filter(unit=unit, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if unit.email:
        recipients.add(unit.email)
    return recipients


def tell_unit_of_transfer(transfer):
    """Queue an email to the receiving unit's staff and address, in the transfer's own
    transaction: a link, never content."""
    tell_unit_of_transfers(transfer.to_unit, [transfer.clue])


def tell_unit_of_transfers(unit, clues):
    """One email for the clues sent to the unit together (a bulk transfer's chunk), in the
    transfers' transaction: the links, never content. 500 clues make one message."""
    with override(settings.LANGUAGE_CODE):
        if len(clues) == 1:
            subject = _("A clue was transferred to your unit")
            body = _("A clue was transferred to your unit for verification:\n%(url)s") % {
                "url": clue_admin_url(clues[0])
            }
        else:
            subject = _("%(count)s clues were transferred to your unit") % {"count": len(clues)}
            body = _("These clues were transferred to your unit for verification:\n%(urls)s") % {
                "urls": "\n".join(clue_admin_url(clue) for clue in clues)
            }
        queue_mail(_unit_recipients(unit), subject, body)


def due_for_retry():
    """Pending deliveries whose time has come and that no worker holds: after a worker was
    killed mid-send, or a queue lost its task, the periodic job sends them again."""
    now = timezone.now()
    return Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).exclude(claimed_until__gt=now)


@task()
def deliver_transfer(delivery_id):
    """Forward a transfer to the unit's system; on failure, queue the next attempt later."""
    wait = attempt(delivery_id)
    if wait is not None:
        later = timezone.now() + timedelta(seconds=wait)
        deliver_transfer.using(run_after=later).enqueue(delivery_id)
    return wait


@task()
def deliver_transfers(delivery_ids):
    """Forward many transfers (a bulk transfer's) in one task: one queued task per chunk of
    clues instead of one per clue. Each delivery is still attempted, claimed and retried on
    its own: one that fails waits for its next attempt as its own task."""
    for delivery_id in delivery_ids:
        wait = attempt(delivery_id)
        if wait is not None:
            later = timezone.now() + timedelta(seconds=wait)
            deliver_transfer.using(run_after=later).enqueue(delivery_id)


def forward_pending():
    """Queue again every delivery whose next attempt is due and that no worker holds."""
    count = 0
    for delivery_id in due_for_retry().values_list("pk", flat=True):
        deliver_transfer.enqueue(delivery_id)
        count += 1
    return count
