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
neither appears in the database, the cache keys or the logs.
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


def wait_seconds(request, tracking_number, now=None):
    """0 when this client may try this number now, else how long it must wait (the rest of
    the window when it is refused). Other clients' failures do not count here."""
    now = now or time.time()
    longest = 0
    for kind, key in _client_keys(request, tracking_number).items():
        count, last = cache.get(key, (0, 0.0))
        if count >= LIMITS[kind]:
            return int(last + WINDOW_SECONDS - now) + 1
        if count > FREE_ATTEMPTS:
            delay = FIRST_DELAY_SECONDS * 2 ** (count - FREE_ATTEMPTS - 1)
            longest = max(longest, int(last + delay - now) + 1)
    return max(longest, 0)


def wait_message(wait):
    """What a person is told while wait_seconds() holds them back."""
    if wait >= 60:
        return _("Too many attempts. Please wait %(minutes)s minutes and try again.") % {
            "minutes": max(1, round(wait / 60))
        }
    return _("Please wait %(seconds)s seconds before trying again.") % {"seconds": wait}


def challenge_needed(tracking_number):
    """Whether a lookup of this number must pass a captcha: many wrong keys were typed for
    it lately, from whatever clients."""
    count, _last = cache.get(_number_key(tracking_number), (0, 0.0))
    return count >= CHALLENGE_AFTER


def record_failure(request, tracking_number, now=None):
    now = now or time.time()
    keys = [*_client_keys(request, tracking_number).values(), _number_key(tracking_number)]
    for key in keys:
        count, _last = cache.get(key, (0, 0.0))
        cache.set(key, (count + 1, now), WINDOW_SECONDS)


def record_success(request, tracking_number):
    """The pair's failures are forgotten: only the holder of the key gets here, so no one
    else can clear them. The client's count across numbers stays, or unlocking one's own
    report between guesses would reset it."""
    cache.delete(_client_keys(request, tracking_number)["pair"])


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
