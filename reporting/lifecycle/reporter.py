"""What the reporter does after the report, and what they may see of it: replies, evidence
added later, a plain-language timeline, and the look-up by tracking number and key."""

import functools

from django.db import transaction
from django.utils.translation import gettext as _

from reporting.evidence import crypto
from reporting.evidence.storage import EvidenceStorageError, delete_files, store_files
from reporting.intake.receipts import check_access_key, hash_access_key, normalize_access_key
from reporting.lifecycle import transitions
from reporting.lifecycle.ledger import record
from reporting.models import Clue, LedgerEntry, Message


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


def open_questions(clue):
    """Staff questions the reporter has not answered yet: those after their last answer.
    Erased messages (a reopened clue keeps their empty rows) ask nothing."""
    answered = (
        clue.messages.filter(sender=Message.Sender.REPORTER).order_by("-created_at", "-pk").first()
    )
    questions = clue.messages.filter(sender=Message.Sender.STAFF).exclude(body="")
    if answered is not None:
        questions = questions.filter(created_at__gte=answered.created_at).exclude(
            created_at=answered.created_at, pk__lt=answered.pk
        )
    return list(questions)


def add_reporter_evidence(clue, files):
    """Evidence the reporter adds later, with the same all-or-nothing storage as a report."""
    written = []
    try:
        with transaction.atomic():
            try:
                store_files(clue, files, written)
            except OSError as error:
                raise EvidenceStorageError(str(error)) from error
            record(
                clue,
                LedgerEntry.Action.REPORTER_ADDED_EVIDENCE,
                note=f"{len(files)}",
            )
    except BaseException:
        delete_files(written)
        raise


def reporter_timeline(clue):
    """What the reporter may see of the ledger: plain words and dates, never staff or units.
    The words for staff actions are the transitions table's; these are the reporter's own
    and the portal's."""
    A = LedgerEntry.Action
    words = {
        A.SUBMITTED: _("We received your report."),
        A.REPORTER_REPLIED: _("You replied."),
        A.REPORTER_ADDED_EVIDENCE: _("You added evidence."),
        A.CONTENT_ERASED: _(
            "The retention period after closure ended: your contact details, the messages "
            "and the files were erased."
        ),
        **transitions.reporter_words(),
    }
    return [
        {"at": entry.at, "text": str(words[entry.action])}
        for entry in clue.ledger.all()
        if entry.action in words
    ]


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
