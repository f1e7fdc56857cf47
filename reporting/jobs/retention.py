"""Erasing what a closed clue no longer needs, CLUE_RETENTION_DAYS after it was closed.

What goes: the named reporter's details (encrypted), the texts of the messages between staff
and reporter, and the evidence files (the stored copy and the kept original). What stays: the
clue's category, region, dates, status, unit and deadlines, its account and the people named
(the record of the case, which a look-back reopens), transfers, conclusions and signatures,
the ledger, and each evidence row's kind, size and SHA-256 (proof of what was received). The
statistics read only what stays, so their figures do not change.

A clue not accepted after screening has ended as surely as a closed one: the same period runs
from that decision. A clue reopened after the purge and closed again is erased again, after a
new period, since what it gathered since is as sensitive.
"""

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from django_tasks import task

from reporting.lifecycle import protection
from reporting.lifecycle.ledger import record
from reporting.models import Clue, Evidence, LedgerEntry

logger = logging.getLogger(__name__)

Action = LedgerEntry.Action


@dataclass
class Counts:
    clues: int = 0
    identities: int = 0
    messages: int = 0
    files: int = 0
    missing_files: int = 0
    failed: int = 0
    failed_clues: list = field(default_factory=list)

    def add(self, other):
        for name in ("clues", "identities", "messages", "files", "missing_files"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self):
        return asdict(self)


def cutoff(now=None, days=None):
    days = settings.CLUE_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def due(now=None, days=None):
    """Clues whose period ran out since they were last closed, and not erased since."""
    return (
        Clue.objects.filter(status__in=Clue.ENDED, closed_at__lte=cutoff(now, days))
        .filter(Q(content_erased_at__isnull=True) | Q(content_erased_at__lt=F("closed_at")))
        .order_by("closed_at", "pk")
    )


def what_would_go(clue):
    """What erasing this clue removes, without changing anything (for --dry-run)."""
    counts = Counts(clues=1, identities=int(clue.reporter_sealed is not None))
    counts.messages = clue.messages.exclude(body="").count()
    for item in clue.evidence.all():
        for field_file in (item.file, item.original_file):
            if not field_file.name:
                continue
            if field_file.storage.exists(field_file.name):
                counts.files += 1
            else:
                counts.missing_files += 1
    return counts


def _delete_file(field_file, counts):
    """Delete a stored file; one already gone counts as missing, not as a failure. Any other
    error (a read-only or unreachable store) is raised, so the clue's transaction is undone
    and the next run tries again."""
    storage, name = field_file.storage, field_file.name
    if not storage.exists(name):
        counts.missing_files += 1
        return
    storage.delete(name)
    counts.files += 1


def erase(clue_id, now=None, days=None):
    """Erase one clue's content in one transaction; None when it is no longer due (reopened,
    or erased by another run meanwhile). Files are deleted inside the transaction: should the
    commit fail, the clue stays due and the next run finds those files missing, which it
    handles; the opposite order could leave files behind for good."""
    now = now or timezone.now()
    with transaction.atomic():
        clue = Clue.objects.select_for_update(of=("self",)).get(pk=clue_id)
        if not due(now, days).filter(pk=clue.pk).exists():
            return None
        counts = Counts(clues=1, identities=int(clue.reporter_sealed is not None))
        counts.messages = clue.messages.exclude(body="").update(body="")
        items = list(clue.evidence.exclude(file="", original_file=""))
        for item in items:
            for field_file in (item.file, item.original_file):
                if field_file.name:
                    _delete_file(field_file, counts)
        Evidence.objects.filter(pk__in=[item.pk for item in items]).update(
            file="", original_file=""
        )
        clue.reporter_sealed = None
        clue.content_erased_at = now
        protection.erase(clue, now)
        clue.save(update_fields=["reporter_sealed", "content_erased_at"])
        record(
            clue,
            Action.CONTENT_ERASED,
            at=now,
            unit=clue.unit,
            note=(
                f"identity {counts.identities} · messages {counts.messages} · "
                f"files {counts.files} (missing {counts.missing_files})"
            ),
        )
    return counts


def erase_due(now=None, *, dry_run=False, limit=None, days=None):
    """Erase every clue that is due, each in its own transaction, so one failure (logged by
    tracking number only) stops neither the others nor the next run."""
    now = now or timezone.now()
    total = Counts()
    clues = due(now, days)
    if limit is not None:
        clues = clues[:limit]
    for clue in clues:
        if dry_run:
            total.add(what_would_go(clue))
            continue
        try:
            counts = erase(clue.pk, now, days)
        except Exception:  # the next clue and the next run go on; the cause is in the log
            logger.exception("could not erase the content of clue %s", clue.tracking_number)
            total.failed += 1
            total.failed_clues.append(clue.tracking_number)
            continue
        if counts is not None:
            total.add(counts)
    return total


@task()
def erase_expired_content():
    """The retention period: closed clues lose their reporter's identity, messages and files."""
    counts = erase_due()
    return {name: value for name, value in counts.as_dict().items() if name != "failed_clues"}
