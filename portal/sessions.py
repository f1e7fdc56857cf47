"""The session engine (SESSION_ENGINE): Django's database sessions, of which an anonymous one
may be given an end. Its cookie then has no expiry date, so the browser drops it when it
closes, and its row expires at that end, so the server forgets it too even while the browser
stays open.

Both are needed and Django has no setting for the pair: `set_expiry(0)` gives the cookie
without a date but leaves the row for SESSION_COOKIE_AGE (two weeks), and `set_expiry(seconds)`
ends the row in time but writes the date into the cookie, which then outlives the browser.
Django asks the store's `get_session_cookie_age()` for the row's life whenever the cookie has
no date, so that is the one method this store changes.

A session with a signed-in user keeps the staff policy whatever it holds (accounts.sessions):
a staff member who opens a reporter's page in the same browser is not signed out early."""

import math
import time

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

ENDS_AT_KEY = "portal:ends-at"


def end_with_browser_and_at(session, ends_at):
    """This session ends when the browser closes, and on the server at `ends_at` (seconds
    since the epoch) at the latest, unless someone is signed in with it."""
    session[ENDS_AT_KEY] = ends_at
    session.set_expiry(0)


def signed_in(session):
    return session.get(SESSION_KEY) is not None


class SessionStore(DatabaseSessionStore):
    def get_session_cookie_age(self):
        ends_at = self.get(ENDS_AT_KEY)
        if not isinstance(ends_at, int | float) or signed_in(self):
            return super().get_session_cookie_age()
        return max(0, math.ceil(ends_at - time.time()))
