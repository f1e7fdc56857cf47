"""Calls released together from their own threads and database connections, for the tests
that show what PostgreSQL's row locks decide when two people act at once."""

import threading
import time
from contextlib import nullcontext

from django.db import connection, transaction

import pytest


def waiting_for_locks(count, timeout=30):
    """Until `count` other connections to this database wait for a lock: what PostgreSQL
    says, polled; the pause only spaces the polls."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # pg_stat_activity is read once per transaction unless its snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.01)
    pytest.fail(f"{count} connections never waited for the row lock together")


def at_once(calls, holding=None):
    """Runs each call in its own thread and connection, released together; their answers.

    `holding`, a queryset: its rows are locked by this connection while the calls start, and
    let go only once every call waits for them, so the calls truly overlap on that lock
    whichever thread the system runs first."""
    barrier = threading.Barrier(len(calls))
    answers, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            answers[index] = call()
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    with transaction.atomic() if holding is not None else nullcontext():
        if holding is not None:
            list(holding.select_for_update())
        for thread in threads:
            thread.start()
        if holding is not None:
            waiting_for_locks(len(calls))
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers
