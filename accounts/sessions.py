"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request, and when the browser
closes. Only signed-in sessions are touched: a reporter's session (their receipt, their
30-minute unlock of the status page) keeps its own rules."""

import time

from django.conf import settings

LAST_ACTIVITY_KEY = "accounts:last-activity"


def idle_seconds_allowed():
    return settings.STAFF_SESSION_IDLE_MINUTES * 60


def start(session, now=None):
    session[LAST_ACTIVITY_KEY] = now or time.time()
    # 0: the cookie has no expiry date, so the browser drops it when it closes.
    session.set_expiry(0)


def expired(session, now=None):
    """A session with no record of activity counts as expired: it predates this rule."""
    last = session.get(LAST_ACTIVITY_KEY)
    if not isinstance(last, int | float):
        return True
    return (now or time.time()) - last > idle_seconds_allowed()


def touch(session, now=None):
    now = now or time.time()
    # Written at most once a minute: each write is a database row update.
    if now - session.get(LAST_ACTIVITY_KEY, 0) >= 60:
        session[LAST_ACTIVITY_KEY] = now
    if not session.get_expire_at_browser_close():
        session.set_expiry(0)
