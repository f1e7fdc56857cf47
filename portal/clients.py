"""Who a client is, for counting its attempts without storing who it is: its address as the
trusted proxies saw it, and keyed hashes (SECRET_KEY) that cannot be turned back into it."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's address as the trusted proxies in front saw it (TRUSTED_PROXY_HOPS)."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def keyed_digest(label, value):
    """The HMAC-SHA256 (an `hmac` object) of `label:value` under SECRET_KEY: the same client
    (or tracking number) gives the same digest, which tells nothing of it."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{label}:{value}".encode(), hashlib.sha256)


def count_in_window(key, seconds):
    """Add one to the count kept under key for a window that starts at the first count, and
    return the new count. Atomic (cache.incr), so parallel requests cannot all pass a limit."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, seconds)
        return 1


def within_limit(request, purpose, limit, seconds):
    """Count one `purpose` (a start, a lookup) from this request's client, in a window of
    `seconds` from its first; whether the client is still within `limit`. Only a keyed digest
    of its address is kept, in the cache."""
    digest = keyed_digest("client", client_address(request)).hexdigest()[:32]
    return count_in_window(f"{purpose}:{digest}", seconds) <= limit
