"""Failed sign-ins, counted three ways, each with its own limit (django-axes' rows, one per
account typed, client pseudonym and browser, within LOGIN_LOCKOUT_MINUTES):

- an account at one client (LOGIN_FAILURE_LIMIT): a person's own typing errors, or someone
  guessing from one place, stop that account there only;
- an account from everywhere (LOGIN_ACCOUNT_FAILURE_LIMIT), each client counting at most
  LOGIN_FAILURE_LIMIT: guessing from many places stops the account everywhere, but one client
  alone cannot, however often it fails;
- a client for any accounts (LOGIN_CLIENT_FAILURE_LIMIT): trying many accounts from one place
  stops that place.

Attempts refused during a lockout are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
off), so someone who keeps trying neither lengthens the wait nor fills the count of colleagues
behind the same address. A successful sign-in clears only that account's failures at that
client: one person's success does not wipe what others' attempts left.
"""

from django.conf import settings
from django.db.models import Sum

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


def counts(request, credentials=None):
    """The failures of the three counts for this sign-in: (account at this client, account
    from everywhere, this client)."""
    username = get_client_username(request, credentials)
    client = request.axes_ip_address
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    by_client = dict(
        recent.filter(username=username)
        .values_list("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .order_by()
    )
    here = by_client.get(client, 0)
    everywhere = sum(min(n, settings.LOGIN_FAILURE_LIMIT) for n in by_client.values())
    from_client = (
        recent.filter(ip_address=client).aggregate(n=Sum("failures_since_start"))["n"] or 0
    )
    return here, everywhere, from_client


def limits_reached(request, credentials=None):
    here, everywhere, from_client = counts(request, credentials)
    return (
        (here >= settings.LOGIN_FAILURE_LIMIT)
        + (everywhere >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        + (from_client >= settings.LOGIN_CLIENT_FAILURE_LIMIT)
    )


class LockoutHandler(AxesDatabaseHandler):
    """django-axes compares one number with one limit; here the number is how many of the
    three limits this sign-in has reached, and AXES_FAILURE_LIMIT is 1."""

    def get_failures(self, request, credentials=None):
        return limits_reached(request, credentials)
