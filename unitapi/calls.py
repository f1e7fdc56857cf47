"""The rules of a write through the units' API, apart from HTTP: the rate a key may call
at, the first answer kept for a retry with the same Idempotency-Key, and the clue's version
a write must name (docs/forwarding.md#writing-back)."""

import hashlib
import json
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.clients import count_in_window, keyed_digest

from .models import IdempotentCall

IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,200}$"
# One entity tag, as the API gives it in ETag and in a clue's "version".
VERSION = r'^"[0-9a-f]{20}"$'


def version_of(clue_pk, decision):
    """The clue's version: a keyed digest of the clue and its newest decision, quoted as an
    entity tag. It changes with every decision on the clue and tells nothing else: the
    ledger's own numbers would let a unit watch how busy the whole portal is."""
    digest = keyed_digest("unitapi-version", f"{clue_pk}:{decision or 0}")
    return f'"{digest.hexdigest()[:20]}"'


def calls_left(key, now=None):
    """Counts this call against the key's limit for the current minute (shared by every
    worker through the default cache). None while the key is within its limit; over it, the
    seconds until the next minute, when it may call again."""
    now = now or time.time()
    minute = int(now // 60)
    # By the key's random prefix, not its row number: two portals sharing one Redis (a
    # staging copy of the database) never count each other's calls.
    count = count_in_window(f"unitapi:calls:{key.prefix}:{minute}", 120)
    if count > settings.UNIT_API_REQUESTS_PER_MINUTE:
        return max(1, 60 - int(now % 60))
    return None


def fingerprint(method, path, data):
    """What makes two calls "the same call": method, path and the validated body, keys
    sorted, so the same JSON sent with its members in another order is still the same."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def _cutoff():
    return timezone.now() - timedelta(hours=settings.UNIT_API_IDEMPOTENCY_HOURS)


def earlier(key, idempotency_key):
    """The kept first answer to a call with this key, if it is recent enough to replay; one
    older is let go here, so that the key can be used anew."""
    first = IdempotentCall.objects.filter(api_key=key, key=idempotency_key).first()
    if first is not None and first.created_at < _cutoff():
        first.delete()
        return None
    return first


def remember(key, idempotency_key, print_, answer):
    """Keeps the first answer, in the write's own transaction, so the answer is kept exactly
    when the write is."""
    IdempotentCall.objects.create(
        api_key=key, key=idempotency_key, fingerprint=print_, answer=answer
    )


def forget_old_answers():
    """The periodic job's: answers older than the retention, which no retry may replay."""
    deleted, _kinds = IdempotentCall.objects.filter(created_at__lt=_cutoff()).delete()
    return deleted
