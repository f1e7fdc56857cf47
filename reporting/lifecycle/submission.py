"""A citizen's clue, stored: the one transaction that makes a report exist."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import queue
from reporting import statistics_facts
from reporting.evidence import crypto, staging
from reporting.evidence.storage import EvidenceStorageError, delete_files, store_files
from reporting.intake.receipts import (
    handoff_digest,
    hash_access_key,
    new_access_key,
    new_tracking_number,
)
from reporting.jobs import follow_up
from reporting.lifecycle import protection as protection_requests
from reporting.lifecycle.ledger import record
from reporting.models import Clue, LedgerEntry, Party, ProtectionRequest, ReceiptHandoff

logger = logging.getLogger(__name__)


# Collisions among 10^11 numbers are rare; a few draws make one practically impossible.
TRACKING_ATTEMPTS = 8


class DuplicateSubmission(Exception):
    """The same form was submitted twice (a double click, a resend): one clue exists."""

    def __init__(self, clue):
        super().__init__(clue.tracking_number)
        self.clue = clue


def submit_clue(
    *,
    details,
    parties,
    reporter,
    submission_token,
    entry_code,
    language,
    files=(),
    channel=None,
    referring_body="",
    received_at=None,
    taken_by=None,
    protection=None,
):
    """Store a citizen's clue and everything with it in one transaction: one sent with the
    public form, or one staff took by phone, letter, visit or referral and enter for the
    reporter (reporting/admin/intake.py), so both are kept, timed and acknowledged alike.

    Evidence files are written before the transaction commits and deleted again if it does
    not, so no clue exists without its files and no file without its clue. Returns the clue
    and its access key; the key exists in clear only in this return value. Raises
    DuplicateSubmission when this submission token was already used, EvidenceStorageError
    when a file could not be written.

    The unique constraints decide, not a look beforehand: a token used before (a double
    click) and a tracking number drawn before (rare among 10^11) both fail the insert, which
    then tells them apart; a new number is drawn for the second.

    `channel`: None for the public form (poster with a poster's code, web otherwise).
    `received_at`: when staff took the clue (by default now); its deadlines count from
    then, not from when it was typed in. `taken_by`: the staff member who entered it, the
    actor of its SUBMITTED ledger entry. `protection`: (kind, what happened) when the
    reporter asks for protection with the report; the request is opened in the same
    transaction (lifecycle/protection.py).
    """
    staff = {
        "channel": channel,
        "referring_body": referring_body,
        "received_at": received_at,
        "taken_by": taken_by,
        "protection": protection,
    }
    attempts = 0
    while True:
        attempts += 1
        number = new_tracking_number()
        try:
            return _store_clue(
                number,
                details,
                parties,
                reporter,
                submission_token,
                entry_code,
                language,
                files,
                **staff,
            )
        except IntegrityError:
            existing = Clue.objects.filter(submission_token=submission_token).first()
            if existing:
                raise DuplicateSubmission(existing) from None
            taken = Clue.objects.filter(tracking_number=number).exists()
            if not taken or attempts == TRACKING_ATTEMPTS:
                raise


def _store_clue(
    number,
    details,
    parties,
    reporter,
    submission_token,
    entry_code,
    language,
    files,
    *,
    channel,
    referring_body,
    received_at,
    taken_by,
    protection,
):
    access_key = new_access_key()
    now = received_at or timezone.now()
    if channel is None:
        # A report that came with a poster's code came through its QR code.
        channel = Clue.Channel.POSTER if entry_code else Clue.Channel.WEB
    written = []
    try:
        with transaction.atomic():
            clue = Clue.objects.create(
                tracking_number=number,
                access_key_hash=hash_access_key(access_key),
                reporter_sealed=crypto.seal(reporter) if reporter else None,
                identity=Clue.Identity.NAMED if reporter else Clue.Identity.ANONYMOUS,
                submission_token=submission_token,
                entry_code=entry_code,
                channel=channel,
                referring_body=referring_body,
                language=language,
                created_at=now,
                acknowledge_due_at=now + timedelta(days=settings.CLUE_ACKNOWLEDGE_DAYS),
                feedback_due_at=now + timedelta(days=settings.CLUE_FEEDBACK_DAYS),
                follow_up_pending=True,
                **details,
            )
            Party.objects.bulk_create(Party(clue=clue, **party) for party in parties)
            # Mirrored to the audit log by the follow-up, in the worker (follow_new_clue).
            record(
                clue,
                LedgerEntry.Action.SUBMITTED,
                actor=taken_by,
                note=_entry_note(clue, received_at) if taken_by else "",
                at=now,
                mirror=False,
            )
            if protection:
                kind, text = protection
                protection_requests.ask(clue, kind, text, ProtectionRequest.Source.REPORT, now=now)
            try:
                store_files(clue, files, written)
            except OSError as error:
                raise EvidenceStorageError(str(error)) from error
            ReceiptHandoff.objects.create(
                token_digest=handoff_digest(submission_token),
                sealed=crypto.seal(
                    {"tracking_number": clue.tracking_number, "access_key": access_key}
                ),
            )
            # Last: the report adds to rows of the day that every report adds to, locked from
            # here to the commit; after the files, a report's upload never holds up another's.
            statistics_facts.first_facts(clue)
            if queue.backend_kind() == "db":
                # The database queue is a table: the task is written with the clue, so it
                # exists exactly when the clue does, in one commit, one flush of the disk.
                _queue_follow_up(clue)
            else:
                transaction.on_commit(lambda: _queue_follow_up(clue), robust=True)
    except BaseException:
        delete_files(written)
        raise
    # Stored for good: what follows can fail (a queue down) without touching the clue, so
    # each step is robust and logs its failure instead of raising.
    transaction.on_commit(lambda: staging.discard(submission_token), robust=True)
    return clue, access_key


def _entry_note(clue, received_at):
    """What the ledger says of a clue staff entered: its channel (and referring body), and
    when it was typed in when that was later than it was received."""
    note = clue.channel
    if clue.referring_body:
        note += f": {clue.referring_body}"
    if received_at is not None:
        entered = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        note += f"; entered {entered}"
    return note


def _queue_follow_up(clue):
    """Queue what follows a new clue (follow_new_clue) in a savepoint, so a queue that
    refuses the task costs the task, never the clue. A lost task loses nothing either: the
    clue stays marked pending, and the periodic checks finish it after FOLLOW_UP_GRACE.
    Files left by forms never sent, and receipts never shown, are purged by the periodic
    checks too (check_deadlines), not after each report."""
    try:
        with transaction.atomic():
            follow_up.follow_new_clue_task.enqueue(clue.pk)
    except Exception:
        logger.exception(
            "The follow-up of clue %s could not be queued; the periodic checks will do it",
            clue.pk,
        )
