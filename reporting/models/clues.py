"""Clues and what belongs to them. Clues are plain Django models, never Wagtail pages:
reporter data must not enter page revisions, search indexes or the page tree."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import storage as portal_storage

from .reference import Category, Region


def where_set(field, name):
    """An index of `field` holding only the rows where it has a value: a row written with it
    empty (a new clue, a report's ledger entry) adds nothing to it, and a lookup by a value
    reads it as it would a full index."""
    return models.Index(
        fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=name
    )


class Clue(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        SCREENED = "screened", _("accepted after screening")
        NOT_ACCEPTED = "not_accepted", _("not accepted")
        TRANSFERRED = "transferred", _("transferred for verification")
        ACKNOWLEDGED = "acknowledged", _("acknowledged by the unit")
        VERIFYING = "verifying", _("being verified")
        CONCLUDED = "concluded", _("concluded")
        FEEDBACK = "feedback", _("feedback given")
        CLOSED = "closed", _("closed")

    # The status groups every rule reads, named once (tuples, so queries read the same every
    # time). A new status joins the groups it belongs to here; the actions that lead in and
    # out of it are rows of the transitions table (lifecycle/transitions.py).
    ENDED = (Status.CLOSED, Status.NOT_ACCEPTED)
    OPEN = (
        Status.SUBMITTED,
        Status.SCREENED,
        Status.TRANSFERRED,
        Status.ACKNOWLEDGED,
        Status.VERIFYING,
        Status.CONCLUDED,
        Status.FEEDBACK,
    )
    # A unit holds the clue and owes its verification.
    WITH_UNIT = (Status.TRANSFERRED, Status.ACKNOWLEDGED, Status.VERIFYING)
    # Accepted and not yet concluded: the reporter is told it is being verified.
    BEING_VERIFIED = (Status.SCREENED, *WITH_UNIT)
    # The reporter still waits for an answer: the feedback clock runs (all open but FEEDBACK).
    AWAITING_ANSWER = OPEN[:-1]
    # A conclusion stands (a repeat report of such a clue asks for a look-back).
    CONCLUDED = (Status.CONCLUDED, Status.FEEDBACK, Status.CLOSED)
    # Never accepted after screening: left out of poster figures' accepted count.
    NEVER_ACCEPTED = (Status.SUBMITTED, Status.NOT_ACCEPTED)

    class NotAccepted(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("out of scope")
        INSUFFICIENT = "insufficient", _("not enough information")
        DUPLICATE = "duplicate", _("duplicate of another report")

    class When(models.TextChoices):
        UNKNOWN = "unknown", _("I don't know")
        DATE = "date", _("on a date")
        PERIOD = "period", _("over a period")

    class Shield(models.TextChoices):
        UNKNOWN = "unknown", _("I don't know")
        YES = "yes", _("yes")
        NO = "no", _("no")

    class Identity(models.TextChoices):
        ANONYMOUS = "anonymous", _("anonymous")
        NAMED = "named", _("named")

    class Channel(models.TextChoices):
        # Web and poster are set by the public form (lifecycle/submission.py); the others
        # are clues staff took elsewhere and entered themselves.
        WEB = "web", _("web form")
        POSTER = "poster", _("QR poster")
        HOTLINE = "hotline", _("12337 hotline")
        LETTER = "letter", _("letter")
        VISIT = "visit", _("visit")
        REFERRAL = "referral", _("referral")

    tracking_number = models.CharField(_("tracking number"), max_length=12, unique=True)
    access_key_hash = models.CharField(max_length=200, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="clues"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    what_happened = models.TextField(_("what happened"))
    when = models.CharField(_("when"), max_length=10, choices=When.choices, default=When.UNKNOWN)
    when_start = models.DateField(_("date or start of period"), null=True, blank=True)
    when_end = models.DateField(_("end of period"), null=True, blank=True)
    where = models.CharField(_("where"), max_length=300, blank=True)
    officials_shield = models.CharField(
        _("officials shielding them"),
        max_length=10,
        choices=Shield.choices,
        default=Shield.UNKNOWN,
    )
    shield_details = models.TextField(_("details of the shielding"), blank=True)
    identity = models.CharField(
        _("identity"), max_length=10, choices=Identity.choices, default=Identity.ANONYMOUS
    )
    # Name, phone, ID number and contact time of a named reporter, encrypted together
    # (reporting.evidence.crypto); never stored in clear, never in logs.
    reporter_sealed = models.BinaryField(null=True, blank=True, editable=False)
    entry_code = models.CharField(_("entry point code"), max_length=20, blank=True)
    # Defaults in the database too, for rows written without Django (bulk loads, COPY).
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.WEB,
        db_default=Channel.WEB,
    )
    # The body that passed the clue on (a discipline inspection commission, a procuratorate):
    # named for referrals only.
    referring_body = models.CharField(
        _("referring body"), max_length=200, blank=True, db_default=""
    )
    # The page the report is about, when a link named one (reporting.intake.subjects): a
    # wanted notice for a sighting. A deleted page leaves the clue about nothing in particular.
    subject = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # clue_about_page, below
    )
    language = models.CharField(_("language of the report"), max_length=10)
    # Unique by a constraint (Meta), not unique=True: that would add a second index for LIKE
    # patterns, which nothing asks of a token.
    submission_token = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    # Set by reporting.lifecycle.submission.submit_clue from the configured clocks.
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    feedback_due_at = models.DateTimeField(_("feedback by"))

    # Review: who holds the clue now, and what the reporter will be told.
    unit = models.ForeignKey(
        "reporting.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
        db_index=False,  # clue_unit_pages, below, begins with it
    )
    is_key = models.BooleanField(_("key clue"), default=False)
    not_accepted_reason = models.CharField(
        _("reason not accepted"), max_length=20, choices=NotAccepted.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # clue_duplicates, below
    )
    feedback = models.TextField(_("feedback to the reporter"), blank=True)
    # Set by the periodic deadline check (reporting/jobs/deadlines.py), cleared when the clue
    # moves.
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # Repeat reports (reporting/lifecycle/repeats.py): clues naming the same people or telling
    # the same story, and concluded clues reported again, which call for a look-back.
    related = models.ManyToManyField("self", verbose_name=_("related clues"), blank=True)
    needs_lookback = models.BooleanField(_("reported again after conclusion"), default=False)
    # The repeat cluster: the earliest clue of the group the related links join (by way of
    # other clues too), on every member, the earliest included; empty for a clue with no
    # repeats. Kept by reporting/lifecycle/repeats.py, so the queue groups a cluster with
    # one indexed column instead of walking the links.
    cluster = models.ForeignKey(
        "self",
        verbose_name=_("repeat cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cluster_members",
        editable=False,
        db_index=False,  # clue_in_cluster, below, begins with it
    )
    # True from the report until the worker has told intake and linked repeat reports
    # (jobs.follow_up.follow_new_clue); the periodic checks finish any a lost task left. False
    # in the database too, for rows written without Django (bulk loads, COPY).
    follow_up_pending = models.BooleanField(default=False, db_default=False, editable=False)
    # Off-site verification keeps the clue's own area out: the tree path of its city (or
    # province), whose intake and supervisors no longer see it (reporting/lifecycle/scope.py).
    off_site_local = models.CharField(max_length=255, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # When the clue was closed or not accepted, cleared by a reopening: the retention period
    # runs from here (reporting/jobs/retention.py). The ledger holds the same moment for the
    # record.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when that period ran out and the reporter's identity, the messages and the evidence
    # files were erased.
    content_erased_at = models.DateTimeField(_("content erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("clue")
        verbose_name_plural = _("clues")
        indexes = [
            # "Overdue now" on the statistics page and the queue's overdue filter look for a
            # few thousand rows among a million: a partial index holds only those.
            models.Index(
                fields=["unit"],
                condition=models.Q(overdue_since__isnull=False),
                name="clue_overdue_by_unit",
            ),
            # The queue's order: its first page is read off the index, not sorted.
            models.Index(fields=["feedback_due_at"], name="clue_feedback_due_at"),
            # The dashboard counts the open clues, a small part of all clues once years of
            # closed ones pile up.
            models.Index(
                fields=["status"],
                condition=~models.Q(status__in=["closed", "not_accepted"]),  # Clue.ENDED
                name="clue_open_by_status",
            ),
            # The periodic checks look for the few clues whose follow-up is still pending.
            models.Index(
                fields=["created_at"],
                condition=models.Q(follow_up_pending=True),
                name="clue_follow_up_pending",
            ),
            # A unit's case system pages through the unit's clues in order of their key
            # (unitapi): each page is read off this index, however many clues the unit holds.
            models.Index(fields=["unit", "id"], name="clue_unit_pages"),
            # Repeats are a small part of all clues: the queue's cluster grouping reads only
            # them.
            models.Index(
                fields=["cluster", "created_at"],
                condition=models.Q(cluster__isnull=False),
                name="clue_in_cluster",
            ),
            # Empty on a new clue, and on most clues for good; looked up by a value (the
            # duplicates of a clue, the clues about a page, those closed before a day).
            where_set("duplicate_of", "clue_duplicates"),
            where_set("subject", "clue_about_page"),
            where_set("closed_at", "clue_closed_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["submission_token"], name="clue_one_per_submission")
        ]
        permissions = [
            ("reveal_reporter", _("Can reveal a named reporter's identity")),
            ("download_original_evidence", _("Can download original evidence files")),
        ]

    def __str__(self):
        return self.tracking_number

    def clean(self):
        super().clean()
        if self.channel == self.Channel.REFERRAL and not self.referring_body.strip():
            raise ValidationError({"referring_body": _("Name the body that referred this clue.")})
        if self.channel != self.Channel.REFERRAL and self.referring_body:
            raise ValidationError(
                {"referring_body": _("Only a referred clue names a referring body.")}
            )

    @property
    def is_erased(self):
        """Closed with its content erased, and not reopened since: nothing can be added."""
        return (
            self.content_erased_at is not None
            and self.closed_at is not None
            and self.content_erased_at >= self.closed_at
        )

    def public_status(self):
        """What the reporter is told: plain words, never internal stages or unit names."""
        S = self.Status
        if self.status == S.SUBMITTED:
            return {
                "title": _("Received"),
                "explanation": _("Your report is stored safely and waits to be read by staff."),
            }
        if self.status == S.NOT_ACCEPTED:
            return {
                "title": _("Not accepted"),
                "explanation": _("Your report could not be taken further. Reason: %(reason)s.")
                % {"reason": self.get_not_accepted_reason_display()},
            }
        if self.status in self.BEING_VERIFIED:
            return {
                "title": _("Being verified"),
                "explanation": _("Your report was accepted and is being checked."),
            }
        if self.status == S.CONCLUDED:
            return {
                "title": _("Checked"),
                "explanation": _("The check is finished; an answer to you is being prepared."),
            }
        return {
            "title": _("Answered"),
            "explanation": _("The check is finished. Our answer: %(feedback)s")
            % {"feedback": self.feedback},
        }


def private_storage():
    # Resolved when used, not when the model is defined (portal.storage.PrivateStorage).
    return portal_storage.private_storage


def evidence_path(instance, filename):
    # Random names: a reporter's file name may itself identify them, so it is never kept.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("photo")
        AUDIO = "audio", _("recording")
        VIDEO = "video", _("video")
        DOCUMENT = "document", _("document")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=60)
    extension = models.CharField(max_length=8)
    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64)
    original_sha256 = models.CharField(_("SHA-256 of the file as sent"), max_length=64)
    original_size = models.PositiveBigIntegerField(_("size as sent"))
    metadata_removed = models.BooleanField(_("metadata removed"))
    # The unstripped upload, Fernet-encrypted; only when EVIDENCE_KEEP_ORIGINALS is on.
    original_file = models.FileField(
        storage=private_storage, upload_to=evidence_path, max_length=200, blank=True
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return f"{self.get_kind_display()} {self.sha256[:12]}"


class Party(models.Model):
    """A person or group the reporter names."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name or nickname"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")

    def __str__(self):
        return self.name


class LedgerIsAppendOnly(Exception):
    pass


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("ledger entries cannot be changed")

    def delete(self):
        raise LedgerIsAppendOnly("ledger entries cannot be deleted")


class LedgerEntry(models.Model):
    """Append-only record of what happened to a clue, with who and when. The reporter's
    timeline is drawn from it; staff actions join it as the review workflow grows."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("report received")
        STAFF_ASKED = "staff_asked", _("staff asked the reporter")
        REPORTER_REPLIED = "reporter_replied", _("reporter replied")
        REPORTER_ADDED_EVIDENCE = "reporter_added_evidence", _("reporter added evidence")
        ACCEPTED = "accepted", _("accepted after screening")
        NOT_ACCEPTED = "not_accepted", _("not accepted")
        TRANSFERRED = "transferred", _("transferred")
        ACKNOWLEDGED = "acknowledged", _("acknowledged by the unit")
        PROGRESS = "progress", _("progress noted")
        CONCLUSION_DRAFTED = "conclusion_drafted", _("conclusion drafted")
        SIGNED = "signed", _("conclusion signed")
        CONCLUDED = "concluded", _("conclusion stands")
        FEEDBACK = "feedback", _("feedback given to the reporter")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened for look-back")
        REPORTER_REVEALED = "reporter_revealed", _("reporter's identity revealed")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", _("evidence downloaded")
        FORWARDED = "forwarded", _("forwarded to the unit's system")
        FORWARDING_FAILED = "forwarding_failed", _("forwarding failed; supervisors told")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("escalated to the unit above")
        REPORTED_AGAIN = "reported_again", _("reported again after conclusion")
        EXPORTED = "exported", _("exported in a list")
        REMINDED = "reminded", _("reminder sent")
        CONTENT_ERASED = "content_erased", _("content erased after the retention period")
        VIEWED = "viewed", _("clue viewed by staff")
        KEY_MARKED = "key_marked", _("marked as a key clue")
        REPLY_SLIP = "reply_slip", _("reply slip printed")
        FOLLOW_UP_TAKEN = "follow_up_taken", _("reporter's follow-up taken by staff")
        REWARD_CLAIMED = "reward_claimed", _("reward claimed by the reporter")
        REWARD_PROPOSED = "reward_proposed", _("reward assessed and proposed")
        REWARD_SIGNED = "reward_signed", _("reward decision signed")
        REWARD_DECIDED = "reward_decided", _("reward decided")
        REWARD_ACCEPTED = "reward_accepted", _("reward accepted by the reporter")
        REWARD_REVIEW_REQUESTED = "reward_review_requested", _("review of the reward asked")
        REWARD_REVIEWED = "reward_reviewed", _("reward reviewed")
        REWARD_PAID = "reward_paid", _("reward paid")
        PAYMENT_DETAILS_ERASED = "payment_details_erased", _("payment details erased")
        PROTECTION_REQUESTED = "protection_requested", _("protection requested")
        PROTECTION_VIEWED = "protection_viewed", _("protection request viewed")
        PROTECTION_MEASURES = "protection_measures", _("protection measures recorded")
        PROTECTION_ANSWERED = "protection_answered", _("reporter answered on protection")

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="ledger")
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ledger_by_actor, below
    )
    note = models.TextField(_("note"), blank=True)
    unit = models.ForeignKey(
        "reporting.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ledger_by_unit, below
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)

    # The ORM's usual ways to change or remove rows are closed; triggers refuse UPDATE,
    # DELETE and TRUNCATE from any client as well (migrations 0005 and 0018). On SQLite a
    # migration that rebuilds this table drops its triggers: such a migration creates them
    # again (tests/reporting/test_ledger.py fails otherwise).
    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            # The statistics count one kind of entry in a period (accepted, reported again):
            # with the clue in the index, that count never reads the table.
            models.Index(fields=["action", "at", "clue"], name="ledger_action_at"),
            # A report's entry has neither an actor nor a unit: indexed only where they are set.
            where_set("actor", "ledger_by_actor"),
            where_set("unit", "ledger_by_unit"),
        ]

    def __str__(self):
        return f"{self.clue} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise LedgerIsAppendOnly("ledger entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("ledger entries cannot be deleted")


class Message(models.Model):
    """A question from staff or an answer from the reporter. Staff names never reach the
    reporter: the status page says only "staff"."""

    class Sender(models.TextChoices):
        STAFF = "staff", _("staff")
        REPORTER = "reporter", _("reporter")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(_("from"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.clue} {self.sender} {self.created_at:%Y-%m-%d %H:%M}"


class ReceiptHandoff(models.Model):
    """The receipt between the commit and its display, encrypted, keyed by a digest of the
    form's token; ignored two minutes after it was first shown, or after ten minutes unshown,
    and then deleted (receipts.take_receipt)."""

    # Unique by a constraint, which adds no second index for LIKE patterns. created_at has no
    # index: the table holds ten minutes of receipts, which the purge reads whole.
    token_digest = models.CharField(max_length=64)
    sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_digest"], name="receipt_one_per_form")
        ]

    def __str__(self):
        return self.token_digest[:12]


class Digest(models.Model):
    """One reminder email per person per day, however many clues are overdue."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self):
        return f"{self.user_id} {self.day}"
