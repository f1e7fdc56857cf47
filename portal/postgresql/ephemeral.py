"""Writes whose loss in a crash costs nothing, committed without waiting for the disk.

PostgreSQL makes every commit wait until its WAL record is flushed, about a millisecond or more
of the request on a real disk, and the report form pays it for rows that matter only for
minutes: the captcha challenge written when the form is served, and the one deleted when it is
checked. Should the server crash in the fraction of a second before such a commit reaches the
disk, the only loss is a challenge (the reporter is asked another, with what they typed kept),
or a used challenge coming back, which expires unused. The report itself, its ledger and its
task are never written this way: they commit in their own transaction, durably.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def ephemeral_writes(using=DEFAULT_DB_ALIAS):
    """Run the block in a transaction of its own with synchronous_commit off on PostgreSQL.

    Inside another transaction it changes nothing: SET LOCAL would last to the end of the
    outer transaction and take away the durability of writes that need it."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
