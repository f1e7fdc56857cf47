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
from reporting.models import Clue, LedgerEntry, Membership, Message

# How a reporter gets back in touch other than through the status page: staff take it down.
STAFF_CHANNELS = (Clue.Channel.HOTLINE, Clue.Channel.LETTER, Clue.Channel.VISIT)
# Who takes a reporter's call or letter into a clue: the clue's intake and its supervisors
# (administrators act as both, transitions.roles_of).
FOLLOW_UP_TAKERS = frozenset({Membership.Role.INTAKE, Membership.Role.SUPERVISOR})


class FollowUpRefused(Exception):
    """A follow-up this person cannot take into this clue; the message says why."""


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


def add_reporter_evidence(clue, files, *, actor=None):
    """Evidence the reporter adds later, with the same all-or-nothing storage as a report.
    `actor`: the staff member who took the files from the reporter (a letter, a visit)."""
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
                actor=actor,
                note=f"{len(files)}",
            )
    except BaseException:
        delete_files(written)
        raise


def may_take_follow_up(user, clue):
    return bool(transitions.roles_of(user, clue) & FOLLOW_UP_TAKERS)


def takes_follow_ups(user):
    """Whether this person takes follow-ups into some clue: intake, supervisors, admins."""
    return user.is_superuser or user.memberships.filter(role__in=FOLLOW_UP_TAKERS).exists()


def take_follow_up(clue, body, *, staff, channel, files=()):
    """What a reporter said on the phone, in a letter or at a visit, taken down by `staff`:
    stored as the reporter's own message (it answers an open question as a reply from the
    status page does), with the files they handed over, in one transaction. The ledger
    names who took it and how it came."""
    channel = Clue.Channel(channel)
    if channel not in STAFF_CHANNELS:
        raise ValueError(f"not a channel staff take follow-ups from: {channel}")
    with transaction.atomic():
        clue = transitions.lock(clue)
        if clue.is_erased:
            raise FollowUpRefused(
                _(
                    "This clue was closed and its content erased, so nothing more can be "
                    "added to it. Enter what the caller says as a new clue, and note this "
                    "tracking number in it."
                )
            )
        if not may_take_follow_up(staff, clue):
            raise FollowUpRefused(_("Your role on this clue does not allow this."))
        message = Message.objects.create(
            clue=clue, sender=Message.Sender.REPORTER, author=staff, body=body
        )
        record(
            clue,
            LedgerEntry.Action.FOLLOW_UP_TAKEN,
            actor=staff,
            unit=clue.unit,
            note=f"{channel.value} {staff.get_username()}",
        )
        # Last: files written to storage are removed again should this fail.
        if files:
            add_reporter_evidence(clue, files, actor=staff)
    return message


def reporter_timeline(clue):
    """What the reporter may see of the ledger: plain words and dates, never staff or units.
    The words for staff actions are the transitions table's; these are the reporter's own
    and the portal's."""
    A = LedgerEntry.Action
    words = {
        A.SUBMITTED: _("We received your report."),
        A.REPORTER_REPLIED: _("You replied."),
        A.REPORTER_ADDED_EVIDENCE: _("You added evidence."),
        A.FOLLOW_UP_TAKEN: _("We took down what you told us by phone, by letter or in person."),
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


def key_matches(clue, access_key):
    """Whether the key a caller read out is this clue's, checked as the status page checks
    it; no clue (an unknown number) costs the same and says no."""
    if clue is None:
        check_access_key(access_key, _dummy_hash())
        return False
    return check_access_key(access_key, clue.access_key_hash)


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
