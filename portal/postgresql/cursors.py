"""The cursor of the portal's PostgreSQL connections: parameters bound by the server, with
statements prepared once a connection has run them a few times (portal/settings/database.py).

Bound by the server, a statement's text is the same for every report, so PostgreSQL parses
and plans it once per connection instead of once per execution: PostgreSQL's CPU for a
text-only report's cycle went from 2.5-2.7 to 2.0 ms (benchmarks/report_cpu.py).

PostgreSQL's protocol counts a statement's parameters in 16 bits, and Django writes one per
value of an ``IN (...)`` list: a bulk action over a large selection, or a deletion cascading
to many rows, has more. Such a statement has its values written into its text, as psycopg's
client-side binding does for every statement, and is not prepared.
"""

from django.db.backends.postgresql.base import ServerBindingCursor

import psycopg

MOST_PARAMETERS = 65535


class Cursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        if params is not None and len(params) > MOST_PARAMETERS:
            query = psycopg.ClientCursor(self.connection).mogrify(query, params)
            params, prepare = None, False
        return super().execute(query, params, prepare=prepare, binary=binary)
