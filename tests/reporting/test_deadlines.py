import os
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

import pytest

from reporting.factories import ClueFactory, clue_at
from reporting.jobs import deadlines
from reporting.jobs import mail as outbox
from reporting.lifecycle import review as workflow
from reporting.models import Clue, Unit

pytestmark = pytest.mark.django_db


def later(days):
    return timezone.now() + timedelta(days=days)


def check(now=None):
    """The periodic job: the checks queue mail in the outbox, which it then sends."""
    counts = deadlines.check(now=now)
    outbox.send_unsent()
    return counts


def test_late_screening_is_marked_digested_once_a_day_and_escalated(staff):
    clue = ClueFactory()
    assert check()["overdue"] == 0

    counts = check(now=later(8))  # past the 7-day acknowledgement
    assert counts["overdue"] == 1
    clue.refresh_from_db()
    assert clue.overdue_since is not None
    assert clue.ledger.filter(action="overdue").count() == 1
    digests = [
        m
        for m in mail.outbox
        if "intake-hebei@example.test" in m.to and m.subject.startswith("超期线索")
    ]
    assert len(digests) == 1 and clue_url(clue) in digests[0].body

    again = check(now=later(8))
    assert again == {"overdue": 0, "escalated": 0, "digests": 0, "protection_reminders": 0}

    counts = check(now=later(12))  # 8 + grace of 3 days has passed
    assert counts["escalated"] == 1
    assert clue.ledger.filter(action="escalated").count() == 1
    assert check(now=later(12))["escalated"] == 0


def clue_url(clue):
    return f"/admin/reporting/clues/inspect/{clue.pk}/"


def test_unacknowledged_transfer_reminds_the_unit_and_escalates_to_its_parent(staff):
    clue = clue_at(Clue.Status.TRANSFERRED, to_unit=Unit.objects.get(code="r130200"))
    mail.outbox.clear()
    assert check(now=later(4))["overdue"] == 1  # 3 days to acknowledge
    assert any("verifier-tangshan@example.test" in m.to for m in mail.outbox)
    check(now=later(8))
    escalated = clue.ledger.get(action="escalated")
    assert escalated.unit.code == "r130000"  # Hebei, above Tangshan
    assert any("supervisor-hebei@example.test" in m.to for m in mail.outbox)


def test_moving_the_clue_clears_the_overdue_mark(staff):
    clue = ClueFactory()
    check(now=later(8))
    workflow.accept(clue, staff["intake-hebei"])
    clue.refresh_from_db()
    assert clue.overdue_since is None and clue.status == Clue.Status.SCREENED


def test_the_command_reports_what_it_did(staff):
    out = StringIO()
    call_command("check_deadlines", stdout=out)
    assert "newly overdue" in out.getvalue()


def test_mail_that_fails_waits_in_the_outbox_and_is_sent_later(staff, settings):
    from reporting.models import OutgoingMail

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: refused
    ClueFactory()
    deadlines.check(now=later(8))
    assert outbox.send_unsent() == 0
    waiting = OutgoingMail.objects.filter(sent_at=None)
    assert waiting.exists() and all(m.attempts == 1 and m.last_error for m in waiting)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.send_unsent() == waiting.count()
    assert not OutgoingMail.objects.filter(sent_at=None).exists()


def test_the_periodic_checks_purge_abandoned_forms_and_spent_receipts(settings, tmp_path):
    """Files kept for a form never sent go after a day, a receipt never shown after ten
    minutes, a receipt shown after its grace; fresher ones stay. Once per round of checks, no
    longer after each report."""
    import time

    from reporting.evidence import staging
    from reporting.evidence.checks import ProcessedFile
    from reporting.intake import receipts
    from reporting.models import ReceiptHandoff

    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }
    kept = ProcessedFile(
        content=b"x",
        original=None,
        display_name="a.png",
        kind="image",
        content_type="image/png",
        extension="png",
        sha256="0" * 64,
        original_sha256="0" * 64,
        original_size=1,
        metadata_removed=True,
    )
    old_id = staging.stage("old-form-token-" + "a" * 20, kept)
    staging.stage("new-form-token-" + "b" * 20, kept)
    old_path = next(tmp_path.rglob(f"{old_id}.bin"))
    past = time.time() - staging.MAX_AGE_SECONDS - 60
    for path in old_path.parent.iterdir():
        os.utime(path, (past, past))
    stale = ReceiptHandoff.objects.create(token_digest="old", sealed=b"x")
    ReceiptHandoff.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - receipts.RECEIPT_HANDOFF_LIFETIME - timedelta(minutes=1)
    )
    fresh = ReceiptHandoff.objects.create(token_digest="new", sealed=b"x")
    ReceiptHandoff.objects.create(
        token_digest="shown",
        sealed=b"x",
        shown_at=timezone.now() - receipts.RECEIPT_REDISPLAY_GRACE - timedelta(seconds=1),
    )
    ReceiptHandoff.objects.create(token_digest="just shown", sealed=b"x", shown_at=timezone.now())
    out = StringIO()
    call_command("check_deadlines", stdout=out)
    assert "2 files of forms never sent purged" in out.getvalue()  # content and manifest
    assert staging.staged("old-form-token-" + "a" * 20) == []
    assert len(staging.staged("new-form-token-" + "b" * 20)) == 1
    left = {handoff.token_digest for handoff in ReceiptHandoff.objects.all()}
    assert left == {fresh.token_digest, "just shown"}
