"""The answer to an unexpected error, when nothing else caught it."""

import sys

from django.db import InterfaceError, OperationalError
from django.urls import Resolver404, resolve
from django.views import defaults

from . import registry


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
    try again. A view may have its own answer (portal.registry.answer_errors): a report
    being sent keeps everything its reporter wrote.

    An outage is the database not answering (OperationalError: the connection refused,
    lost or timed out, the server shutting down or out of room; InterfaceError: the
    connection already closed) or the file system failing. The database refusing what it
    was asked (DataError, IntegrityError, ProgrammingError) is a fault of this code or of
    the request, and waiting would not mend it: a 500, logged as one."""
    error = sys.exception()
    outage = isinstance(error, (OperationalError, InterfaceError, OSError))
    status = 503 if outage else 500
    answer = registry.error_answer(_view_name(request), request.method, outage)
    if answer is not None:
        return answer(request, status)
    response = defaults.server_error(request)
    if outage:
        response.status_code = 503
        response["Retry-After"] = "30"
    return response
