"""Slowing down guesses at receipts, without storing who guessed.

Counters live only in the cache, keyed by an HMAC of the client address or the tracking
number, so neither appears in the database, the cache keys or the logs.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
LIMITS = {"client": 20, "number": 5}


def _key(kind, value):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"status-fail:{kind}:{digest.hexdigest()[:32]}"


def _client(request):
    return request.META.get("REMOTE_ADDR", "")


def is_locked(request, tracking_number):
    return (
        cache.get(_key("client", _client(request)), 0) >= LIMITS["client"]
        or cache.get(_key("number", tracking_number), 0) >= LIMITS["number"]
    )


def record_failure(request, tracking_number):
    for kind, value in (("client", _client(request)), ("number", tracking_number)):
        key = _key(kind, value)
        if cache.add(key, 1, WINDOW_SECONDS) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, WINDOW_SECONDS)
