#!/usr/bin/env python
"""Worker killed mid-delivery: the task worker gets SIGKILL while a transfer's webhook request
is in flight, and is started again.

    .venv/bin/python drills/worker_killed.py

Starts its own PostgreSQL cluster, loads the demo data, runs `manage.py run_worker` and a
receiving server on 127.0.0.1 that checks each request's signature and stores each
idempotency key once, as docs/forwarding.md asks of a receiver. The receiver holds the first
request open; the drill kills the worker (SIGKILL), lets the receiver store the delivery (its
answer goes nowhere, as when a worker dies after the receiver committed) and starts a new
worker. Time is compressed by settings: the worker's claim on a delivery lasts
WEBHOOK_CLAIM_SECONDS=5 (120 in production) and the periodic checks, which send left-behind
deliveries again, run every minute (PERIODIC_CHECK_MINUTES=1).

PASS: the receiver saw the delivery (again after the restart, with the same idempotency key
and a valid signature), processed it once per key, and the portal marked it delivered, with
the delivery on the clue's ledger once. No manual step.
"""

import collections
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _common

from benchmarks import harness

LIMIT_SECONDS = 150


class Receiver(_common.WebhookReceiver):
    """A unit's case system: stores each idempotency key once; can hold the first request."""

    def __init__(self):
        self.requests = []  # (seconds since start, key, signature valid)
        self.processed = collections.Counter()
        self.lock = threading.Lock()
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.began = time.time()
        super().__init__()

    def on_post(self, headers, body):
        key = headers.get("Idempotency-Key")
        with self.lock:
            self.requests.append(
                (time.time() - self.began, key, _common.valid_signature(headers, body))
            )
            first = len(self.requests) == 1
        if first:
            self.in_flight.set()
            self.release.wait(30)
        with self.lock:
            if key not in self.processed:  # stored once per key
                self.processed[key] += 1

    def close(self):
        self.release.set()
        super().close()


def main():
    receiver = Receiver()
    with (
        _common.workspace("portal-drill-worker-") as workdir,
        _common.running_cluster(workdir) as cluster,
    ):
        workers = []
        try:
            _port, env = _common.prepared_portal(
                workdir, cluster, WEBHOOK_CLAIM_SECONDS=5, PERIODIC_CHECK_MINUTES=1
            )
            _common.django_in_process(env)
            from reporting.models import Delivery

            workers.append(_common.start_worker(env))
            _common.wait_for_worker()
            began = receiver.began = time.time()
            clue = _common.transfer_with_webhook(receiver.url)
            in_flight = receiver.in_flight.wait(60)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            killed_at = time.time() - began
            receiver.release.set()
            workers.append(_common.start_worker(env))
            restarted_at = time.time() - began
            delivery = Delivery.objects.get(transfer__clue=clue)
            while time.time() - began < LIMIT_SECONDS:
                delivery.refresh_from_db()
                if delivery.status != Delivery.Status.PENDING:
                    break
                time.sleep(0.5)
            delivered_at = time.time() - began
            time.sleep(3)  # a late duplicate would arrive now
            delivery.refresh_from_db()
            attempts = [(a.status_code, a.error) for a in delivery.attempt_log.all()]
            forwarded = clue.ledger.filter(action="forwarded").count()
        finally:
            for worker in workers:
                harness.stop_process(worker)
            receiver.close()

    keys = {key for _at, key, _ok in receiver.requests}
    print("\nWorker killed mid-delivery (claim 5 s, periodic checks every minute)")
    print(f"  first request in flight       {'yes' if in_flight else 'no'}")
    print(f"  worker killed (SIGKILL) at    {killed_at:6.1f} s, restarted at {restarted_at:.1f} s")
    for at, key, ok in receiver.requests:
        print(
            f"  receiver saw the delivery at  {at:6.1f} s  key {key}  signature "
            f"{'valid' if ok else 'INVALID'}"
        )
    print(f"  processed per key             {dict(receiver.processed)}")
    print(f"  delivery status               {delivery.status} at {delivered_at:.1f} s")
    print(f"  attempts on the clue's record {attempts}")
    print(f"  'forwarded' ledger entries    {forwarded}")

    verdict = _common.Verdict("Worker killed mid-delivery drill")
    verdict.check("the delivery was in flight when the worker was killed", in_flight)
    verdict.check(
        "the receiver saw it again after the restart, same key, signed",
        len(receiver.requests) >= 2
        and len(keys) == 1
        and all(ok for _at, _key, ok in receiver.requests),
    )
    verdict.check(
        "processed once per idempotency key",
        keys and all(receiver.processed[key] == 1 for key in keys),
    )
    verdict.check(
        f"marked delivered, within {LIMIT_SECONDS} s, no manual step",
        delivery.status == Delivery.Status.DELIVERED,
    )
    verdict.check("one 'forwarded' entry on the clue's ledger", forwarded == 1)
    return verdict.report()


if __name__ == "__main__":
    raise SystemExit(main())
