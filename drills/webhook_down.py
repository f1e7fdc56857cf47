#!/usr/bin/env python
"""Webhook target down: the receiving unit's system refuses connections for ten minutes, then
recovers.

    .venv/bin/python drills/webhook_down.py [--scale 60]

Starts its own PostgreSQL cluster, loads the demo data, runs `manage.py run_worker`, and
transfers a clue to a unit whose webhook address is a port on 127.0.0.1 where nothing listens
(connections refused) for ten minutes; then a receiver listens there and accepts. Time is
compressed --scale times through the documented settings: WEBHOOK_FIRST_RETRY_SECONDS=60/scale
(the retries double as in production) and the outage lasts 600/scale seconds.

PASS: delivered after the recovery; every attempt on the clue's record (each refused attempt
with its error, then the 2xx) and as many as the receiver and the backoff account for; the
supervisors told once (one email, sent) and nothing marked failed.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness

alert_subjects_cache = []
OUTAGE_SECONDS = 600
FIRST_RETRY_SECONDS = 60


class Receiver(_common.WebhookReceiver):
    def __init__(self, port):
        self.requests = []
        super().__init__(port)

    def on_post(self, headers, body):
        self.requests.append(
            (time.time(), headers["Idempotency-Key"], _common.valid_signature(headers, body))
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=60, help="time compression (default 60)")
    args = parser.parse_args()
    first_retry = FIRST_RETRY_SECONDS // args.scale
    outage = OUTAGE_SECONDS / args.scale
    hook_port = harness.free_port()
    receiver = None
    sink = _common.MailSink()

    with (
        _common.workspace("portal-drill-webhook-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        worker = None
        try:
            _port, env = _common.prepared_portal(
                workdir, cluster, WEBHOOK_FIRST_RETRY_SECONDS=first_retry, **sink.env()
            )
            _common.django_in_process(env)
            from django.conf import settings

            from reporting.models import Delivery, OutgoingMail

            alert_subjects_cache.extend(alert_subjects())

            worker = _common.start_worker(env)
            _common.wait_for_worker()
            mails_before = set(OutgoingMail.objects.values_list("pk", flat=True))
            began = time.time()
            clue = _common.transfer_with_webhook(f"http://127.0.0.1:{hook_port}/hook")
            delivery = Delivery.objects.get(transfer__clue=clue)
            time.sleep(max(0, outage - (time.time() - began)))
            receiver = Receiver(hook_port)
            recovered_at = time.time() - began
            deadline = began + outage + 16 * first_retry + 60
            while time.time() < deadline:
                delivery.refresh_from_db()
                if delivery.status != Delivery.Status.PENDING:
                    break
                time.sleep(0.2)
            delivered_at = time.time() - began
            time.sleep(2 * first_retry + 5)  # the email is sent; a stray retry would show
            delivery.refresh_from_db()
            attempts = [
                (a.at.timestamp() - began, a.status_code, a.error)
                for a in delivery.attempt_log.order_by("at")
            ]
            alerts = list(
                OutgoingMail.objects.exclude(pk__in=mails_before)
                .filter(subject__in=alert_subjects_cache)
                .values_list("recipients", "sent_at", "subject")
            )
            ledger = list(clue.ledger.values_list("action", flat=True))
            max_attempts = settings.WEBHOOK_MAX_ATTEMPTS
            alert_after = settings.WEBHOOK_ALERT_AFTER_ATTEMPTS
        finally:
            if worker:
                harness.stop_process(worker)
            if receiver:
                receiver.close()
            sink.close()

    refused = [a for a in attempts if a[1] is None]
    accepted = [a for a in attempts if a[1] and 200 <= a[1] < 300]
    print(
        f"\nWebhook target down for {OUTAGE_SECONDS // 60} minutes, compressed {args.scale}x: "
        f"down {outage:.0f} s, first retry after {first_retry} s (doubling), "
        f"{max_attempts} attempts at most, supervisors warned after {alert_after}"
    )
    for at, status, error in attempts:
        print(f"  attempt at {at:6.1f} s   {status or error[:90]}")
    print(
        f"  receiver listening again at {recovered_at:.1f} s; requests received: "
        f"{len(receiver.requests) if receiver else 0}"
    )
    print(f"  delivery {delivery.status} at {delivered_at:.1f} s")
    for recipients, sent_at, subject in alerts:
        print(
            f"  email to {', '.join(recipients)}: {subject!r}, {'sent' if sent_at else 'NOT SENT'}"
        )
    subjects = set(alert_subjects_cache)
    received = [(to, m["Subject"]) for to, m in sink.messages if m["Subject"] in subjects]
    for to, subject in received:
        print(f"  mail server got {subject!r} for {', '.join(to)}")
    print(f"  ledger: {', '.join(ledger)}")

    verdict = _common.Verdict("Webhook target down drill")
    verdict.check(
        "delivered after the recovery, once, signed",
        delivery.status == Delivery.Status.DELIVERED
        and len(accepted) == 1
        and accepted[0][0] >= outage
        and receiver is not None
        and len(receiver.requests) == 1
        and receiver.requests[0][2],
    )
    verdict.check(
        "every attempt on the clue's record: the refusals with their error, then the 2xx",
        refused
        and all("Connection" in error for _at, _s, error in refused)
        and len(attempts) == len(refused) + 1
        and attempts[-1] == accepted[0],
    )
    verdict.check(
        "the supervisors told once, the email sent",
        len(alerts) == 1 and alerts[0][1] is not None and len(received) == 1,
    )
    verdict.check(
        "not marked failed; one 'forwarded' entry on the ledger",
        "forwarding_failed" not in ledger and ledger.count("forwarded") == 1,
    )
    return verdict.report()


def alert_subjects():
    """The supervisors' emails about forwarding, in the portal's language."""
    from django.conf import settings
    from django.utils.translation import gettext, override

    with override(settings.LANGUAGE_CODE):
        return [
            gettext("A transfer is not reaching its unit's system"),
            gettext("A transfer could not be forwarded"),
        ]


if __name__ == "__main__":
    raise SystemExit(main())
