"""Forwarding transfers to a unit's system: a real HTTP server on 127.0.0.1, the real worker."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import pytest

import reporting.demo
from reporting.factories import clue_at
from reporting.models import Clue, Delivery, Unit

SECRET = "unit-shared-secret-for-tests"


class Receiver:
    """Answers with the given status codes in turn, then 200; records what it got."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory():
    made = []

    def make(statuses=()):
        receiver = Receiver(statuses)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


def transfer_to_tangshan(staff, receiver):
    tangshan = Unit.objects.get(code="r130200")
    tangshan.webhook_url = receiver.url
    tangshan.webhook_secret = SECRET
    tangshan.email = "office@tangshan.example.test"
    tangshan.save()
    return clue_at(Clue.Status.TRANSFERRED, to_unit=tangshan)


def run_worker():
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def staff(site_tree):
    reporting.demo.load()
    people = reporting.demo.load_staff()
    for username in ("supervisor-hebei", "verifier-tangshan"):
        people[username].email = f"{username}@example.test"
        people[username].save()
    return people


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_receiver_gets_the_same_signed_delivery_until_it_accepts(
    staff, receiver_factory, settings
):
    settings.WEBHOOK_FIRST_RETRY_SECONDS = 0
    receiver = receiver_factory([500, 503])
    clue = transfer_to_tangshan(staff, receiver)
    run_worker()

    assert len(receiver.requests) == 3
    keys = {headers["Idempotency-Key"] for headers, _body in receiver.requests}
    assert len(keys) == 1
    headers, body = receiver.requests[-1]
    expected = hmac.new(
        SECRET.encode(), f"{headers['X-Portal-Timestamp']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Portal-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["tracking_number"] == clue.tracking_number
    assert payload["unit"] == "r130200"
    assert "what_happened" not in payload and clue.what_happened not in body.decode()
    # Where the unit's case system reads the clue, with the key its supervisor gave it.
    assert payload["api_url"].endswith(f"/api/units/v1/clues/{clue.tracking_number}")

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 200]
    assert clue.ledger.filter(action="forwarded").count() == 1
    # The unit's staff and address were emailed a link, and nothing of the clue.
    unit_mail = [m for m in mail.outbox if "office@tangshan.example.test" in m.to]
    assert unit_mail and clue.what_happened not in unit_mail[0].body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_last_attempt_supervisors_are_told_once(staff, receiver_factory, settings):
    settings.WEBHOOK_FIRST_RETRY_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver = receiver_factory([500] * 10)
    clue = transfer_to_tangshan(staff, receiver)
    run_worker()
    run_worker()  # nothing more happens once it has failed

    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    told = [m for m in mail.outbox if "supervisor-hebei@example.test" in m.to]
    assert len(told) == 1
    assert clue.ledger.filter(action="forwarding_failed").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_long_outage_warns_supervisors_once_and_the_delivery_still_arrives(
    staff, receiver_factory, settings
):
    """Found by drills/webhook_down.py: a receiver down for ten minutes recovered before
    the retries ran out, so nobody was ever told its unit's system had been unreachable."""
    settings.WEBHOOK_FIRST_RETRY_SECONDS = 0
    settings.WEBHOOK_ALERT_AFTER_ATTEMPTS = 3
    receiver = receiver_factory([503] * 5)
    clue = transfer_to_tangshan(staff, receiver)
    run_worker()

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [503] * 5 + [200]
    told = [m for m in mail.outbox if "supervisor-hebei@example.test" in m.to]
    assert len(told) == 1
    assert "HTTP 503" in told[0].body and "最多 8 次" in told[0].body
    assert clue.tracking_number not in told[0].body
    assert clue.ledger.filter(action="forwarding_failed").count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_left_behind_is_sent_again(staff, receiver_factory, settings):
    """As if the worker died mid-send: the claim runs out and the periodic job resends."""
    receiver = receiver_factory()
    transfer_to_tangshan(staff, receiver)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the queued task is lost with the worker
    call_command("forward_pending", stdout=StringIO())
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_copy_of_the_task_does_not_skip_the_backoff(staff, receiver_factory, settings):
    from reporting.jobs import forwarding

    settings.WEBHOOK_FIRST_RETRY_SECONDS = 3600
    receiver = receiver_factory([500, 500])
    transfer_to_tangshan(staff, receiver)
    delivery = Delivery.objects.get()
    assert forwarding.attempt(delivery.pk) == 3600
    assert forwarding.attempt(delivery.pk) is None  # not before its time
    assert len(receiver.requests) == 1


def test_a_webhook_needs_a_real_secret(site_tree):
    from django.core.exceptions import ValidationError

    reporting.demo.load()
    unit = Unit.objects.get(code="r130200")
    unit.webhook_url = "https://cases.example.test/hook"
    unit.webhook_secret = ""
    with pytest.raises(ValidationError, match="16"):
        unit.full_clean()
