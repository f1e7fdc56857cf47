"""Slowing, then stopping, guesses at receipts and floods of reports, without storing who.

Wrong access keys are counted three ways, each for a window of WINDOW_SECONDS from the last
failure:

- per client and tracking number (the pair): after FREE_ATTEMPTS failures each further attempt
  waits longer (5, 10, 20 ... seconds after the last failure); after LIMITS["pair"] the pair is
  refused for the window, the right key included. Only the client that failed is refused:
  someone who knows a tracking number cannot lock its reporter out by typing wrong keys.
- per client across numbers: the same delays, and after LIMITS["client"] the client is refused
  for every number, so one client cannot guess its way through many numbers.
- per number across clients: after CHALLENGE_AFTER failures (more than one client's limit, so
  it takes several), every lookup of that number must also pass a captcha. Nobody is refused
  for it: clients spread over many addresses pay a solved picture for each guess, and the
  reporter types four more characters.

A client may send REPORT_RATE_LIMIT reports per window of REPORT_RATE_WINDOW_MINUTES. Counters
live only in the cache, keyed by an HMAC of the client address or the tracking number, so
neither appears in the database, the cache keys or the logs. Every count is an atomic
increment (one Redis INCR once REDIS_URL is set), taken before the key is checked: wrong keys
sent together, to one web process or to several, are held to the same limits as wrong keys
sent one after another (drills/multi_instance.py).
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from portal.clients import client_address, count_in_window, keyed_digest

WINDOW_SECONDS = 15 * 60
LIMITS = {"pair": 5, "client": 20}
CHALLENGE_AFTER = 10
FREE_ATTEMPTS = 2
FIRST_DELAY_SECONDS = 5


def _key(kind, value, purpose="status-fail"):
    digest = keyed_digest(kind, value)
    return f"{purpose}:{kind}:{digest.hexdigest()[:32]}"


def _client_keys(request, tracking_number):
    client = client_address(request)
    return {
        "pair": _key("pair", f"{client} {tracking_number}"),
        "client": _key("client", client),
    }


def _number_key(tracking_number):
    return _key("number", tracking_number)


def _counter(key):
    return f"{key}:n"


def _last_failure(key):
    return f"{key}:last"


def _take(key):
    """One more under key, atomically (cache.incr: one Redis INCR shared by every web
    process); returns the count before it."""
    cache.add(_counter(key), 0, WINDOW_SECONDS)
    try:
        return cache.incr(_counter(key)) - 1
    except ValueError:  # expired between add and incr
        cache.set(_counter(key), 1, WINDOW_SECONDS)
        return 0


def _give_back(key):
    with contextlib.suppress(ValueError):  # already expired
        cache.decr(_counter(key))


def take_attempt(request, tracking_number, now=None):
    """Count this client's lookup of this number before its key is checked: 0 when it may
    go ahead (it is counted), else how long it must wait (the rest of the window when it is
    refused), and nothing is counted. Other clients' failures do not count here.

    The count comes first, atomically, and holds lookups still being checked as failures
    made now: lookups sent together, to one web process or several, cannot all pass before
    the first failure is recorded. A correct key gives its count back (record_success)."""
    now = now or time.time()
    keys = _client_keys(request, tracking_number)
    wait = 0
    for kind, key in keys.items():
        before = _take(key)
        last = cache.get(_last_failure(key), now)
        if before >= LIMITS[kind]:
            wait = max(wait, int(last + WINDOW_SECONDS - now) + 1)
        elif before > FREE_ATTEMPTS:
            delay = FIRST_DELAY_SECONDS * 2 ** (before - FREE_ATTEMPTS - 1)
            wait = max(wait, int(last + delay - now) + 1)
    if wait > 0:
        for key in keys.values():
            _give_back(key)
    return max(wait, 0)


def wait_message(wait):
    """What a person is told while take_attempt() holds them back."""
    if wait >= 60:
        return _("Too many attempts. Please wait %(minutes)s minutes and try again.") % {
            "minutes": max(1, round(wait / 60))
        }
    return _("Please wait %(seconds)s seconds before trying again.") % {"seconds": wait}


def challenge_needed(tracking_number):
    """Whether a lookup of this number must pass a captcha: many wrong keys were typed for
    it lately, from whatever clients."""
    return cache.get(_counter(_number_key(tracking_number)), 0) >= CHALLENGE_AFTER


def record_failure(request, tracking_number, now=None):
    """The attempt take_attempt() counted was a wrong key: its counts stay for a window from
    now, and the number's count across clients goes up (atomically too)."""
    now = now or time.time()
    _take(_number_key(tracking_number))
    for key in [*_client_keys(request, tracking_number).values(), _number_key(tracking_number)]:
        cache.touch(_counter(key), WINDOW_SECONDS)
        cache.set(_last_failure(key), now, WINDOW_SECONDS)


def record_success(request, tracking_number):
    """The pair's failures are forgotten: only the holder of the key gets here, so no one
    else can clear them. The client's failures across numbers stay, or unlocking one's own
    report between guesses would reset them; only this attempt's count is given back."""
    keys = _client_keys(request, tracking_number)
    cache.delete_many([_counter(keys["pair"]), _last_failure(keys["pair"])])
    _give_back(keys["client"])


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
    if count_in_window(key, window) > settings.REPORT_RATE_LIMIT:
        return int(left) + 1
    return 0


def give_back_report(request, now):
    """A report that was counted but not stored (a resend of one already stored, a storage
    failure) does not use up the client's allowance."""
    key, _window, _left = _report_window(request, now)
    with contextlib.suppress(ValueError):
        cache.decr(key)
