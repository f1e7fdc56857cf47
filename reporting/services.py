"""The rules of a clue's life. Views, the admin and tests all go through these functions."""

import contextlib
import functools
import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

from portal import queue

from . import crypto, staging, tasks
from .models import Clue, Evidence, LedgerEntry, Message, Party, ReceiptHandoff
from .receipts import (
    check_access_key,
    hash_access_key,
    new_access_key,
    new_tracking_number,
    normalize_access_key,
)

logger = logging.getLogger(__name__)

# Collisions among 10^11 numbers are rare; a few draws make one practically impossible.
TRACKING_ATTEMPTS = 8
# How long a receipt waits to be displayed (a slow phone, a double click) before it is gone.
RECEIPT_HANDOFF_LIFETIME = timedelta(minutes=10)
# A new clue's follow-up is the worker's task; the periodic checks take over any still
# pending after this long, when the task is surely lost rather than waiting its turn.
FOLLOW_UP_GRACE = timedelta(minutes=5)


class DuplicateSubmission(Exception):
    """The same form was submitted twice (a double click, a resend): one clue exists."""

    def __init__(self, clue):
        super().__init__(clue.tracking_number)
        self.clue = clue


class EvidenceStorageError(Exception):
    """Evidence could not be written; nothing of the submission was kept."""


def _store_evidence(clue, files, written):
    for processed in files:
        item = Evidence(
            clue=clue,
            kind=processed.kind,
            content_type=processed.content_type,
            extension=processed.extension,
            size=processed.size,
            sha256=processed.sha256,
            original_sha256=processed.original_sha256,
            original_size=processed.original_size,
            metadata_removed=processed.metadata_removed,
        )
        item.file.save("evidence", ContentFile(processed.content), save=False)
        written.append(item.file)
        if processed.original is not None:
            sealed = crypto.seal_bytes(processed.original)
            item.original_file.save("original", ContentFile(sealed), save=False)
            written.append(item.original_file)
        item.save()


def submit_clue(*, details, parties, reporter, submission_token, entry_code, language, files=()):
    """Store a citizen's clue and everything with it in one transaction.

    Evidence files are written before the transaction commits and deleted again if it does
    not, so no clue exists without its files and no file without its clue. Returns the clue
    and its access key; the key exists in clear only in this return value. Raises
    DuplicateSubmission when this submission token was already used, EvidenceStorageError
    when a file could not be written.

    The unique constraints decide, not a look beforehand: a token used before (a double
    click) and a tracking number drawn before (rare among 10^11) both fail the insert, which
    then tells them apart; a new number is drawn for the second.
    """
    attempts = 0
    while True:
        attempts += 1
        number = new_tracking_number()
        try:
            return _store_clue(
                number, details, parties, reporter, submission_token, entry_code, language, files
            )
        except IntegrityError:
            existing = Clue.objects.filter(submission_token=submission_token).first()
            if existing:
                raise DuplicateSubmission(existing) from None
            taken = Clue.objects.filter(tracking_number=number).exists()
            if not taken or attempts == TRACKING_ATTEMPTS:
                raise


def _store_clue(number, details, parties, reporter, submission_token, entry_code, language, files):
    access_key = new_access_key()
    now = timezone.now()
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
                language=language,
                created_at=now,
                acknowledge_due_at=now + timedelta(days=settings.CLUE_ACKNOWLEDGE_DAYS),
                feedback_due_at=now + timedelta(days=settings.CLUE_FEEDBACK_DAYS),
                follow_up_pending=True,
                **details,
            )
            Party.objects.bulk_create(Party(clue=clue, **party) for party in parties)
            # Mirrored to the audit log by the follow-up, in the worker (follow_new_clue).
            record(clue, LedgerEntry.Action.SUBMITTED, at=now, mirror=False)
            try:
                _store_evidence(clue, files, written)
            except OSError as error:
                raise EvidenceStorageError(str(error)) from error
            ReceiptHandoff.objects.create(
                token_digest=handoff_digest(submission_token),
                sealed=crypto.seal(
                    {"tracking_number": clue.tracking_number, "access_key": access_key}
                ),
            )
            if queue.backend_kind() == "db":
                # The database queue is a table: the task is written with the clue, so it
                # exists exactly when the clue does, in one commit, one flush of the disk.
                _queue_follow_up(clue)
            else:
                transaction.on_commit(lambda: _queue_follow_up(clue), robust=True)
    except BaseException:
        _delete(written)
        raise
    # Stored for good: what follows can fail (a queue down) without touching the clue, so
    # each step is robust and logs its failure instead of raising.
    transaction.on_commit(lambda: staging.discard(submission_token), robust=True)
    return clue, access_key


def _queue_follow_up(clue):
    """Queue what follows a new clue (follow_new_clue) in a savepoint, so a queue that
    refuses the task costs the task, never the clue. A lost task loses nothing either: the
    clue stays marked pending, and the periodic checks finish it after FOLLOW_UP_GRACE.
    Files left by forms never sent, and receipts never shown, are purged by the periodic
    checks too (check_deadlines), not after each report."""
    try:
        with transaction.atomic():
            tasks.follow_new_clue.enqueue(clue.pk)
    except Exception:
        logger.exception(
            "The follow-up of clue %s could not be queued; the periodic checks will do it",
            clue.pk,
        )


def follow_new_clue(clue_id, *, send_now=True):
    """What follows a new clue, in the worker rather than the reporter's request: its
    submission is mirrored to the audit log, repeat reports are linked and intake is told.
    All of it is written in the transaction that clears the pending mark, so a task run
    twice, or a task and the periodic checks at once, do it once, and a worker stopped
    midway leaves the clue pending for the periodic checks. Only the sending comes after
    the commit (send_now; the periodic checks leave it to their own pass over the outbox).
    Returns whether this call did the follow-up."""
    from .mail import send
    from .models import Unit
    from .repeats import link_repeats

    with transaction.atomic():
        claimed = Clue.objects.filter(pk=clue_id, follow_up_pending=True).update(
            follow_up_pending=False
        )
        if not claimed:
            return False
        clue = Clue.objects.select_related("region").get(pk=clue_id)
        # Filed where the request would have filed it: a new clue is the national office's,
        # even if a reviewer already took it on by now.
        root = Unit.get_first_root_node()
        for entry in clue.ledger.filter(action=LedgerEntry.Action.SUBMITTED):
            _mirror_to_audit_log(entry, clue, unit=root)
        try:
            link_repeats(clue_id)  # in a savepoint of its own
        except Exception:  # a fault in comparing stories must not keep intake uninformed
            logger.exception("Repeat reports of clue %s could not be linked", clue_id)
        mail = notify_intake(clue)
    if mail is not None and send_now:
        send(mail.pk)  # a failure is counted on the email; the periodic checks resend it
    return True


# At most this many lost follow-ups per round of the periodic checks, so a backlog (after a
# queue outage) cannot hold up the rest of the round; the next rounds take the others.
FOLLOW_UPS_PER_ROUND = 500


def finish_lost_follow_ups(now=None):
    """The periodic checks' pass over new clues whose follow-up task was lost (a queue
    outage, a worker killed mid-task). Their emails are left to the checks' pass over the
    outbox. Returns how many it finished."""
    cutoff = (now or timezone.now()) - FOLLOW_UP_GRACE
    pending = Clue.objects.filter(follow_up_pending=True, created_at__lt=cutoff)
    finished = 0
    for pk in pending.order_by("created_at").values_list("pk", flat=True)[:FOLLOW_UPS_PER_ROUND]:
        try:
            finished += follow_new_clue(pk, send_now=False)
        except Exception:  # one clue's failure must not hold back the others or the checks
            logger.exception("The follow-up of clue %s failed", pk)
    return finished


def notify_intake(clue):
    """Write the email telling intake staff a clue arrived, for the caller to send (the
    follow-up does, after its commit): a link only, never its content, so mail servers and
    inboxes hold nothing about the clue or the reporter."""
    from .mail import queue_mail

    return queue_mail(
        tasks.intake_recipients(clue),
        _("A new clue has arrived"),
        _("A new clue is waiting for screening. Sign in to read it:\n%(url)s")
        % {"url": f"{settings.PORTAL_BASE_URL}/admin/"},
        enqueue=False,
    )


def handoff_digest(submission_token):
    return hmac.new(
        settings.SECRET_KEY.encode(), f"receipt:{submission_token}".encode(), hashlib.sha256
    ).hexdigest()


def take_receipt(submission_token):
    """The receipt of the report sent with this form, once: the stored copy is deleted as it
    is read, in one statement, so of two requests at once only one gets it. A double click
    or a lost response still reaches it; a second look does not."""
    table = connection.ops.quote_name(ReceiptHandoff._meta.db_table)
    cutoff = timezone.now() - RECEIPT_HANDOFF_LIFETIME
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE token_digest = %s AND created_at > %s "  # noqa: S608 (the table's name, quoted)
            "RETURNING sealed",
            [handoff_digest(submission_token), connection.ops.adapt_datetimefield_value(cutoff)],
        )
        row = cursor.fetchone()
    return None if row is None else crypto.open_sealed(row[0])


def record(
    clue,
    action,
    *,
    actor=None,
    note="",
    at=None,
    unit=None,
    from_status="",
    to_status="",
    mirror=True,
):
    """Append to the clue's ledger, and mirror the entry to Wagtail's audit log (unless the
    caller mirrors it later: a new clue's follow-up does). Every change to a clue goes
    through here."""
    entry = LedgerEntry.objects.create(
        clue=clue,
        action=action,
        actor=actor,
        note=note,
        at=at or timezone.now(),
        unit=unit,
        from_status=from_status,
        to_status=to_status,
    )
    if mirror:
        _mirror_to_audit_log(entry, clue)
    return entry


def _mirror_to_audit_log(entry, clue, unit=None):
    """Wagtail's audit log gets every ledger entry, filed under the unit, not the clue: the
    site history shows entries to everyone who may view their object, and a clue's
    tracking number must not reach staff outside its scope. Only administrators see units."""
    from .models import Unit

    unit = unit or entry.unit or clue.unit or Unit.get_first_root_node()
    if unit is None:
        return
    model = log_registry.get_log_model_for_instance(unit)
    if model is None:
        return
    context = get_active_log_context()
    # The entry wagtail.log_actions.log() writes, written without its save(): that runs
    # full_clean(), whose checks read the content type and the user again, a query each on
    # every report, for rows just read; the action is one registered in wagtail_hooks.
    model.objects.bulk_create(
        [
            model(
                content_type=ContentType.objects.get_for_model(unit, for_concrete_model=False),
                object_id=str(unit.pk),
                label=model.objects.get_instance_title(unit),
                action=f"reporting.{entry.action}",
                timestamp=entry.at,
                user=entry.actor or context.user,
                uuid=context.uuid,
                data={
                    "ledger_entry": entry.pk,
                    "clue": clue.pk,
                    "from": entry.from_status,
                    "to": entry.to_status,
                },
            )
        ]
    )


def record_export(clues, actor, file_format):
    """One ledger entry per exported clue, written together."""
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            clue_id=pk,
            action=LedgerEntry.Action.EXPORTED,
            actor=actor,
            at=now,
            unit_id=unit_id,
            note=file_format,
        )
        for pk, unit_id in clues.values_list("pk", "unit_id").iterator()
    )


def reporter_reply(clue, body):
    with transaction.atomic():
        message = Message.objects.create(clue=clue, sender=Message.Sender.REPORTER, body=body)
        record(clue, LedgerEntry.Action.REPORTER_REPLIED)
    return message


def ask_reporter(clue, body, *, staff):
    with transaction.atomic():
        message = Message.objects.create(
            clue=clue, sender=Message.Sender.STAFF, author=staff, body=body
        )
        record(clue, LedgerEntry.Action.STAFF_ASKED, actor=staff)
    return message


def add_reporter_evidence(clue, files):
    """Evidence the reporter adds later, with the same all-or-nothing storage as a report."""
    written = []
    try:
        with transaction.atomic():
            try:
                _store_evidence(clue, files, written)
            except OSError as error:
                raise EvidenceStorageError(str(error)) from error
            record(
                clue,
                LedgerEntry.Action.REPORTER_ADDED_EVIDENCE,
                note=f"{len(files)}",
            )
    except BaseException:
        _delete(written)
        raise


def reporter_timeline(clue):
    """What the reporter may see of the ledger: plain words and dates, never staff or units."""
    A = LedgerEntry.Action
    words = {
        A.SUBMITTED: _("We received your report."),
        A.STAFF_ASKED: _("We asked you a question."),
        A.REPORTER_REPLIED: _("You replied."),
        A.REPORTER_ADDED_EVIDENCE: _("You added evidence."),
        A.ACCEPTED: _("Your report was accepted for verification."),
        A.NOT_ACCEPTED: _("Your report was not accepted."),
        A.TRANSFERRED: _("Your report was passed to the office responsible for checking it."),
        A.ACKNOWLEDGED: _("The responsible office started work on your report."),
        A.CONCLUDED: _("The check is finished."),
        A.FEEDBACK: _("We gave you our answer."),
        A.CLOSED: _("Your report is closed."),
        A.REOPENED: _("Your report is being looked at again."),
        A.CONTENT_ERASED: _(
            "The retention period after closure ended: your contact details, the messages "
            "and the files were erased."
        ),
    }
    return [
        {"at": entry.at, "text": words[entry.action]}
        for entry in clue.ledger.all()
        if entry.action in words
    ]


def _delete(files):
    for field_file in files:
        # Already gone, or the storage itself is failing: nothing more can be done here.
        with contextlib.suppress(OSError):
            field_file.storage.delete(field_file.name)


@functools.cache
def _dummy_hash():
    return hash_access_key("0" * 20)


def find_clue_for_reporter(tracking_number, access_key):
    """The clue when the pair matches, else None; one answer for every kind of mismatch."""
    clue = Clue.objects.filter(tracking_number=tracking_number).first()
    if clue is None:
        # Spend the same effort as a real check, so timing does not reveal which numbers exist.
        check_access_key(access_key, _dummy_hash())
        return None
    if not check_access_key(access_key, clue.access_key_hash):
        return None
    if not clue.access_key_hash.startswith("sha256$"):
        # A hash of the older, slower kind: replaced by the current kind now that the key is
        # at hand, so such clues stop standing out by the time their check takes.
        clue.access_key_hash = hash_access_key(normalize_access_key(access_key))
        Clue.objects.filter(pk=clue.pk).update(access_key_hash=clue.access_key_hash)
    return clue


def reporter_details(clue):
    return crypto.open_sealed(clue.reporter_sealed) if clue.reporter_sealed else None


def clue_counts_by_entry_code(codes):
    """{entry code: (clues submitted, clues accepted after screening)} for poster figures.
    Only counts leave this app: which clue came from which poster stays here."""
    not_accepted = [Clue.Status.SUBMITTED, Clue.Status.NOT_ACCEPTED]
    rows = (
        Clue.objects.filter(entry_code__in=codes)
        .values("entry_code")
        .annotate(
            submitted=Count("pk"),
            accepted=Count("pk", filter=~Q(status__in=not_accepted)),
        )
    )
    return {row["entry_code"]: (row["submitted"], row["accepted"]) for row in rows}
