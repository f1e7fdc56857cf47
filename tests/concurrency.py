"""Calls released together from their own threads and database connections, for the tests
that show what PostgreSQL's row locks decide when two people act at once."""

import threading

from django.db import connection


def at_once(calls):
    """Runs each call in its own thread and connection, released together; their answers."""
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
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers
