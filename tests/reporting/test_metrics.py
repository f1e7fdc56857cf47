"""reporting's figures on the operators' metrics endpoint (reporting/metrics.py): forwarding,
the outbox and overdue clues, made by the real services and read back through /metrics with
prometheus_client's own parser."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families

from reporting import metrics, outbox
from reporting.factories import ClueFactory, clue_at
from reporting.jobs import deadlines, forwarding
from reporting.jobs import mail as mail_jobs
from reporting.models import Clue, Delivery, OutgoingMail, Unit

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token-0123456789abcdef"


@pytest.fixture
def scrape(settings):
    settings.METRICS_TOKEN = TOKEN

    def read():
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        found = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return found

    return read


def value(found, name, **labels):
    return found[(name, tuple(sorted(labels.items())))]


@pytest.fixture
def unreachable_unit(staff, settings):
    """Tangshan's office, whose system is down: nothing listens on port 1."""
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    unit = Unit.objects.get(code="r130200")
    unit.webhook_url = "http://127.0.0.1:1/hook"
    unit.webhook_secret = "unit-shared-secret-for-tests"
    unit.save()
    return unit


def attempt_now(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    forwarding.attempt(delivery.pk)


def test_deliveries_by_state_and_the_oldest_pending(scrape, unreachable_unit):
    found = scrape()
    assert [value(found, "portal_webhook_deliveries", state=s) for s in ("waiting", "retrying",
            "failed")] == [0, 0, 0]  # fmt: skip
    assert value(found, "portal_webhook_delivery_oldest_pending_age_seconds") == 0

    failing, retrying, waiting = (
        Delivery.objects.get(transfer__clue=clue_at(Clue.Status.TRANSFERRED, to_unit=unit))
        for unit in [unreachable_unit] * 3
    )
    attempt_now(failing)
    attempt_now(failing)  # the second of two attempts: failed for good
    attempt_now(retrying)
    assert Delivery.objects.get(pk=failing.pk).status == Delivery.Status.FAILED
    Delivery.objects.filter(pk=retrying.pk).update(created_at=timezone.now() - timedelta(hours=2))

    found = scrape()
    assert value(found, "portal_webhook_deliveries", state="waiting") == 1
    assert value(found, "portal_webhook_deliveries", state="retrying") == 1
    assert value(found, "portal_webhook_deliveries", state="failed") == 1
    age = value(found, "portal_webhook_delivery_oldest_pending_age_seconds")
    assert 7200 <= age < 3 * 3600

    # Delivered at last: counted nowhere.
    Delivery.objects.filter(pk__in=[retrying.pk, waiting.pk]).update(
        status=Delivery.Status.DELIVERED
    )
    found = scrape()
    assert value(found, "portal_webhook_deliveries", state="retrying") == 0
    assert value(found, "portal_webhook_deliveries", state="waiting") == 0
    assert value(found, "portal_webhook_delivery_oldest_pending_age_seconds") == 0


def test_outbox_mail_waiting_and_abandoned(scrape, settings):
    # An SMTP server that refuses every connection.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    found = scrape()
    assert value(found, "portal_outbox_mail_waiting") == 0
    assert value(found, "portal_outbox_mail_abandoned") == 0

    waiting = outbox.queue_mail(["a@example.test"], "主题", "正文")
    outbox.queue_mail(["b@example.test"], "主题", "正文")
    given_up = outbox.queue_mail(["c@example.test"], "主题", "正文")
    for _ in range(mail_jobs.MAX_ATTEMPTS):
        assert not mail_jobs.send(given_up.pk)
    OutgoingMail.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )
    sent = outbox.queue_mail(["d@example.test"], "主题", "正文")
    OutgoingMail.objects.filter(pk=sent.pk).update(sent_at=timezone.now())

    found = scrape()
    assert value(found, "portal_outbox_mail_waiting") == 2
    assert value(found, "portal_outbox_mail_abandoned") == 1
    assert 1800 <= value(found, "portal_outbox_mail_oldest_waiting_age_seconds") < 3600


def test_overdue_clues_by_unit_with_the_rest_summed(scrape, staff, monkeypatch):
    tangshan = Unit.objects.get(code="r130200")
    for _ in range(3):
        clue_at(Clue.Status.TRANSFERRED, to_unit=tangshan)
    clue_at(Clue.Status.TRANSFERRED, to_unit=Unit.objects.get(code="r130000"))
    ClueFactory()  # not screened yet: no unit holds it
    assert not any(name == "portal_clues_overdue" for name, _labels in scrape())

    # The periodic check, as if days had passed: every transfer is overdue (3 days to
    # acknowledge), the first report too (7 days to screen).
    deadlines.check(now=timezone.now() + timedelta(days=8))
    ClueFactory()  # in time
    found = scrape()
    assert value(found, "portal_clues_overdue", unit="r130200") == 3
    assert value(found, "portal_clues_overdue", unit="r130000") == 1
    assert value(found, "portal_clues_overdue", unit="none") == 1
    overdue = [labels for name, labels in found if name == "portal_clues_overdue"]
    assert len(overdue) == 3

    monkeypatch.setattr(metrics, "MAX_UNIT_SERIES", 1)
    found = scrape()
    overdue = {
        dict(labels)["unit"]: number
        for (name, labels), number in found.items()
        if name == "portal_clues_overdue"
    }
    assert overdue == {"r130200": 3, "other": 2}


def test_the_figures_cost_three_queries(staff, django_assert_num_queries):
    clue_at(Clue.Status.TRANSFERRED, to_unit=Unit.objects.get(code="r130200"))
    outbox.queue_mail(["a@example.test"], "主题", "正文")
    with django_assert_num_queries(3):
        families = metrics.collect()
    assert {family.name for family in families} == {
        "portal_webhook_deliveries",
        "portal_webhook_delivery_oldest_pending_age_seconds",
        "portal_outbox_mail_waiting",
        "portal_outbox_mail_abandoned",
        "portal_outbox_mail_oldest_waiting_age_seconds",
        "portal_clues_overdue",
    }
