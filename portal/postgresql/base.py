"""Django's PostgreSQL backend, with a health check that a busy worker does not pay on every
request.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of each request, so
that a connection the server dropped (a restart, a failover, an idle timeout) is replaced
instead of failing the request. Under load that is one round trip more per request: three
more for a report (form, submission, receipt), about a tenth of PostgreSQL's work for it.

Here a connection that passed a check less than HEALTH_CHECK_TRUST_SECONDS ago is trusted
without another, so a busy worker checks about once a second, and a connection that waited
longer (where a dropped connection hides) is always checked first. What that trades: should
the server drop the connection within that second, the worker's next request fails as it would
without health checks. Django then closes the broken connection at the end of that request
(it checks a connection after any error). A report failing so keeps its text, and asks for
files it could not keep (reporting.intake.views.outage.report_not_sent).

With a pool (DATABASE_POOL_SIZE, portal/settings/database.py) none of this applies: the pool
checks each connection it hands out, with an empty query.
"""

import time

from django.db.backends.postgresql import base

from .cursors import Cursor

HEALTH_CHECK_TRUST_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = float("-inf")  # time.monotonic() of the last passed check

    def get_connection_params(self):
        params = super().get_connection_params()
        if self.features.uses_server_side_binding:
            params["cursor_factory"] = Cursor
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.features.uses_server_side_binding:
            # QuerySet.iterator()'s named cursors bind on the client, as without prepared
            # statements: they are few, read many rows, and may be given a large IN list.
            connection.server_cursor_factory = base.ServerSideCursor
        return connection

    def close_if_health_check_failed(self):
        due = (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
        )
        if not due:
            return super().close_if_health_check_failed()
        if time.monotonic() - self.checked_at < HEALTH_CHECK_TRUST_SECONDS:
            self.health_check_done = True
            return None
        super().close_if_health_check_failed()
        if self.connection is not None:
            self.checked_at = time.monotonic()
        return None
