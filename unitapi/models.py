"""API keys with which a unit's own case system reads the clues transferred to the unit."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "ucs"
# last_used_at is written at most this often: a busy client must not turn every read into a
# write on the same row.
LAST_USED_EVERY = timedelta(minutes=1)
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=366)  # a year from today, a leap day included


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


def digest(key):
    # A key is 32 random bytes: nothing to guess, so a plain SHA-256 is enough; a slow
    # password KDF protects low-entropy secrets and would only slow every request here.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("read clues")
        ACT = "act", _("act on clues")
        EVIDENCE = "evidence", _("download evidence")
        IDENTITY = "identity", _("reveal a named reporter, with a reason")

    unit = models.ForeignKey(
        "reporting.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    # Shown in lists and logs to tell keys apart; the rest of the key is never stored.
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), default=default_expiry)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    # Whom the clue's ledger names for what the case system does with this key: an account
    # of its own that cannot sign in, so no person of the unit is made to answer for it.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("unit API key")
        verbose_name_plural = _("unit API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @classmethod
    def issue(cls, *, unit, name, scopes, created_by=None, expires_at=None):
        """A new key, saved; returns (key row, the whole key), the whole key only this once."""
        prefix = secrets.token_hex(4)
        key = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        row = cls.objects.create(
            unit=unit,
            name=name,
            prefix=prefix,
            hash=digest(key),
            scopes=sorted(set(scopes)),
            created_by=created_by,
            expires_at=expires_at or default_expiry(),
        )
        row.acting_account()
        return row, key

    def acting_account(self):
        """The key's account, made the first time it is needed (keys issued before keys had
        one). Its username is the key's name and prefix, which is what the ledger shows."""
        if self.account_id is None:
            with transaction.atomic():
                row = type(self).objects.select_for_update().get(pk=self.pk)
                if row.account_id is None:
                    name = re.sub(r"[^\w.@+-]+", "-", self.name).strip("-") or "key"
                    account = get_user_model()(
                        username=f"{name[:100]}.api-{self.prefix}",
                        first_name=self.name[:150],
                        is_active=False,
                    )
                    account.set_unusable_password()
                    account.save()
                    type(self).objects.filter(pk=self.pk).update(account=account)
                    row.account = account
                self.account = row.account
        return self.account

    @classmethod
    def authenticate(cls, key, *, related=False):
        """The live key row for this whole key, or None. Read from the database on every
        request, never cached: a revocation or an expiry holds at once in every worker.
        `related`: with its unit (and region) and account, which an action needs and a read
        does not."""
        parts = key.split("_", 2) if isinstance(key, str) else []
        if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 8:
            return None
        rows = cls.objects.filter(
            prefix=parts[1], revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        if related:
            rows = rows.select_related("unit__region", "account")
        row = next(iter(rows[:1]), None)
        if row is None or not hmac.compare_digest(row.hash, digest(key)):
            return None
        return row

    @property
    def is_live(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope):
        return scope in self.scopes

    def mark_used(self):
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    def revoke(self, user):
        # Conditional, so two supervisors revoking at once keep the first one's record.
        type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user
        )
        self.refresh_from_db()


class IdempotentCall(models.Model):
    """The first answer to a write sent with an Idempotency-Key, so that sending it again (a
    retry after a lost answer) gives that answer instead of acting twice. It keeps no clue
    content: the clue's number, status and version, and the message. Only successful
    actions are kept (a refusal changed nothing and may be sent again), so every answer kept
    was a 200."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the method, the path and the body as sent.
    fingerprint = models.CharField(max_length=64)
    answer = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotent_call_once")
        ]

    def __str__(self):
        return f"{self.api_key_id}:{self.key}"
