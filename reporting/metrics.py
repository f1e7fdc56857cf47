"""reporting's figures for the operators' metrics (/metrics, docs/operations.md), computed at
each scrape with three aggregate queries: forwarding to units' systems, the outbox, overdue
clues. Registered in ReportingConfig.ready through portal.registry."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from prometheus_client.core import GaugeMetricFamily

from reporting.jobs.mail import MAX_ATTEMPTS
from reporting.models import Clue, Delivery, OutgoingMail

# Series of the overdue count, one per unit: the units with the most, the rest summed under
# "other", so a tree of thousands of offices cannot swell every scrape.
MAX_UNIT_SERIES = 50


def collect():
    return [*deliveries(), *outbox(), *overdue_clues()]


def deliveries():
    now = timezone.now()
    pending = Q(status=Delivery.Status.PENDING)
    # One pass over the deliveries still pending or failed for good; delivered ones, the bulk
    # of the table, are only read past.
    found = Delivery.objects.exclude(status=Delivery.Status.DELIVERED).aggregate(
        waiting=Count("pk", filter=pending & Q(attempts=0)),
        retrying=Count("pk", filter=pending & Q(attempts__gt=0)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        oldest=Min("created_at", filter=pending),
    )
    states = GaugeMetricFamily(
        "portal_webhook_deliveries",
        "Transfers forwarded to units' systems, by state: waiting (not tried yet), retrying "
        "(failed at least once, tried again later), failed (every attempt failed; "
        "supervisors were mailed). Delivered ones are not counted.",
        labels=["state"],
    )
    for state in ("waiting", "retrying", "failed"):
        states.add_metric([state], found[state])
    oldest = GaugeMetricFamily(
        "portal_webhook_delivery_oldest_pending_age_seconds",
        "Seconds since the oldest delivery still waiting or retrying was created; 0 when none.",
        value=_age(now, found["oldest"]),
    )
    return [states, oldest]


def outbox():
    now = timezone.now()
    # sent_at is indexed: only the unsent rows are read.
    found = OutgoingMail.objects.filter(sent_at=None).aggregate(
        waiting=Count("pk", filter=Q(attempts__lt=MAX_ATTEMPTS)),
        abandoned=Count("pk", filter=Q(attempts__gte=MAX_ATTEMPTS)),
        oldest=Min("created_at", filter=Q(attempts__lt=MAX_ATTEMPTS)),
    )
    return [
        GaugeMetricFamily(
            "portal_outbox_mail_waiting",
            "Messages in the outbox not sent yet that the worker still tries to send.",
            value=found["waiting"],
        ),
        GaugeMetricFamily(
            "portal_outbox_mail_abandoned",
            f"Messages in the outbox the worker gave up on after {MAX_ATTEMPTS} failed attempts.",
            value=found["abandoned"],
        ),
        GaugeMetricFamily(
            "portal_outbox_mail_oldest_waiting_age_seconds",
            "Seconds since the oldest message still to be sent was written; 0 when none.",
            value=_age(now, found["oldest"]),
        ),
    ]


def overdue_clues():
    """Clues marked overdue by the periodic deadline check, by the code of the unit holding
    them ("none" before any transfer)."""
    rows = (
        Clue.objects.filter(overdue_since__isnull=False)
        .order_by()
        .values("unit__code")
        .annotate(count=Count("pk"))
    )
    counts = sorted(
        ((row["unit__code"] or "none", row["count"]) for row in rows),
        key=lambda item: (-item[1], item[0]),
    )
    family = GaugeMetricFamily(
        "portal_clues_overdue",
        f"Clues past a deadline (marked by the periodic check, cleared when the clue moves), "
        f"by unit code; beyond the {MAX_UNIT_SERIES} units with the most, summed as 'other'.",
        labels=["unit"],
    )
    for code, count in counts[:MAX_UNIT_SERIES]:
        family.add_metric([code], count)
    rest = sum(count for _code, count in counts[MAX_UNIT_SERIES:])
    if rest:
        family.add_metric(["other"], rest)
    return [family]


def _age(now, since):
    return max((now - since).total_seconds(), 0) if since else 0
