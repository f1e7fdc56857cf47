"""Slowing, then stopping, guesses at receipts and floods of reports, without storing who.

After a few failures for a tracking number or from one client, each further attempt must wait
longer (5, 10, 20, ... seconds after the last failure); after the limit, attempts are refused
for the whole window. A client may send REPORT_RATE_LIMIT reports per window of
REPORT_RATE_WINDOW_MINUTES. Counters live only in the cache, keyed by an HMAC of the client
address or the tracking number, so neither appears in the database, the cache keys or the logs.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache

from portal.clients import client_address, keyed_digest

WINDOW_SECONDS = 15 * 60
LIMITS = {"client": 20, "number": 5}
FREE_ATTEMPTS = 2
FIRST_DELAY_SECONDS = 5


def _key(kind, value, purpose="status-fail"):
    digest = keyed_digest(kind, value)
    return f"{purpose}:{kind}:{digest.hexdigest()[:32]}"


def _keys(request, tracking_number):
    return [
        ("client", _key("client", client_address(request))),
        ("number", _key("number", tracking_number)),
    ]


def wait_seconds(request, tracking_number, now=None):
    """0 when an attempt may be made now, else how long to wait (the whole window if locked)."""
    now = now or time.time()
    longest = 0
    for kind, key in _keys(request, tracking_number):
        count, last = cache.get(key, (0, 0.0))
        if count >= LIMITS[kind]:
            return int(last + WINDOW_SECONDS - now) + 1
        if count > FREE_ATTEMPTS:
            delay = FIRST_DELAY_SECONDS * 2 ** (count - FREE_ATTEMPTS - 1)
            longest = max(longest, int(last + delay - now) + 1)
    return max(longest, 0)


def record_failure(request, tracking_number, now=None):
    now = now or time.time()
    for _kind, key in _keys(request, tracking_number):
        count, _last = cache.get(key, (0, 0.0))
        cache.set(key, (count + 1, now), WINDOW_SECONDS)


def _report_window(request, now):
    """The cache key of this client's current window, and the seconds left in it. Fixed
    windows: a client may send up to twice the limit across a boundary, which is acceptable
    for slowing floods and needs one atomic counter only."""
    window = settings.REPORT_RATE_WINDOW_MINUTES * 60
    bucket = int(now // window)
    key = f"{_key('client', client_address(request), purpose='report-rate')}:{bucket}"
    return key, window, (bucket + 1) * window - now


def take_report(request, now=None):
    """Count one report from this client: 0 when it may be sent now, else the seconds until
    the window ends. The count is taken atomically, so parallel requests cannot all pass."""
    now = time.time() if now is None else now
    key, window, left = _report_window(request, now)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, window)
        count = 1
    if count > settings.REPORT_RATE_LIMIT:
        return int(left) + 1
    return 0


def give_back_report(request, now):
    """A report that was counted but not stored (a resend of one already stored, a storage
    failure) does not use up the client's allowance."""
    key, _window, _left = _report_window(request, now)
    with contextlib.suppress(ValueError):
        cache.decr(key)
