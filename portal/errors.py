"""The answer to an unexpected error, when nothing else caught it."""

import sys

from django.db import DatabaseError
from django.urls import Resolver404, resolve
from django.views import defaults


def _view_name(request):
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match.view_name


def server_error(request):
    """A database outage is temporary: 503 with Retry-After, so proxies and clients know to
    try again, and a report being sent keeps everything its reporter wrote."""
    error = sys.exception()
    outage = isinstance(error, (DatabaseError, OSError))
    status = 503 if outage else 500
    view = _view_name(request)
    if request.method == "POST" and view == "reporting:report":
        from reporting.intake.views import report_not_sent

        return report_not_sent(request, status)
    if outage and view == "reporting:receipt":
        from reporting.intake.views import receipt_not_shown

        return receipt_not_shown(request)
    response = defaults.server_error(request)
    if outage:
        response.status_code = 503
        response["Retry-After"] = "30"
    return response
