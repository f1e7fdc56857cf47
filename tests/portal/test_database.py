"""The PostgreSQL backend (portal/postgresql), against the server itself.

Its health check: a connection the server drops is replaced when it waited, and trusted for a
second after a check when busy; a pooled one is checked by the pool whenever it is handed out.
Its cursor: statements prepared once run often, and a statement with more values than the
protocol can bind still runs."""

import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import Error, OperationalError, connections

import psycopg
import pytest

from portal.metrics import PROCESS_REGISTRY
from portal.metrics.pool import report
from portal.postgresql.base import HEALTH_CHECK_TRUST_SECONDS
from portal.postgresql.cursors import MOST_PARAMETERS
from portal.settings.database import PREPARE_THRESHOLD, database_settings

ALIAS = "health_probe"
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "portal.postgresql"
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="runs against the PostgreSQL server of the suite's own run"
)


def server_url(database="postgres"):
    """A database of the suite's PostgreSQL server, by default its maintenance database (only
    SELECTs are sent)."""
    default = settings.DATABASES["default"]
    login = default["USER"] + (f":{default['PASSWORD']}" if default["PASSWORD"] else "")
    return (
        f"postgres://{login}@{default['HOST'] or '127.0.0.1'}:{default['PORT'] or 5432}/{database}"
    )


@contextmanager
def registered(django_db_blocker, config):
    configured = connections.configure_settings(
        {"default": settings.DATABASES["default"], ALIAS: config}
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        try:
            yield connections[ALIAS]
        finally:
            connections[ALIAS].close()
            connections[ALIAS].close_pool()
            del connections[ALIAS]
            del connections.settings[ALIAS]


@pytest.fixture
def probe(django_db_blocker):
    with registered(django_db_blocker, database_settings(server_url())) as connection:
        yield connection


@pytest.fixture
def pooled(django_db_blocker):
    """A pool of one connection, so each request is handed the same one, or its successor."""
    config = database_settings(server_url(), pool_size=1)
    with registered(django_db_blocker, config) as connection:
        yield connection


def backend_pid(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def new_request(connection):
    """What Django does at the start and the end of every request (close_old_connections)."""
    connection.close_if_unusable_or_obsolete()


def dropped_by_the_server(pid):
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@on_postgresql
def test_a_connection_that_waited_is_checked_and_replaced(probe):
    pid = backend_pid(probe)
    new_request(probe)
    backend_pid(probe)  # checked at the start of this request
    new_request(probe)
    dropped_by_the_server(pid)
    probe.checked_at -= HEALTH_CHECK_TRUST_SECONDS  # as if it then waited a second

    new_request(probe)
    assert backend_pid(probe) != pid  # no error: the check found it broken and reconnected


@on_postgresql
def test_a_busy_connection_is_trusted_for_a_second_then_recovers(probe):
    pid = backend_pid(probe)
    new_request(probe)
    backend_pid(probe)  # checked
    assert time.monotonic() - probe.checked_at < HEALTH_CHECK_TRUST_SECONDS
    new_request(probe)
    dropped_by_the_server(pid)

    # Within the second, no check: the request meets the dropped connection, as it would
    # without health checks...
    new_request(probe)
    with pytest.raises(Error):
        backend_pid(probe)
    # ...and Django closes it at the end of that request, so the next one works.
    new_request(probe)
    assert backend_pid(probe) != pid


@on_postgresql
def test_a_pooled_connection_the_server_dropped_is_replaced_before_use(pooled):
    pid = backend_pid(pooled)
    new_request(pooled)  # CONN_MAX_AGE 0: back to the pool
    assert pooled.connection is None
    dropped_by_the_server(pid)

    # Even at once (no second of trust): the pool checks the connection it hands out.
    assert backend_pid(pooled) != pid


@on_postgresql
def test_a_request_that_finds_every_pooled_connection_busy_fails_as_an_outage(
    django_db_blocker,
):
    """After the pool's timeout, as django.db.OperationalError: the error handler answers it
    as an outage (503), and the report form keeps the report's text (reporting's outage). The
    metrics count it (portal/metrics/pool.py)."""
    config = database_settings(server_url(), pool_size=1)
    config["OPTIONS"]["pool"]["timeout"] = 0.2
    with registered(django_db_blocker, config) as pooled:
        backend_pid(pooled)  # this thread holds the only connection until its request ends
        failures = []

        def another_request():
            other = connections[ALIAS]  # the same alias in another thread: its own wrapper
            try:
                backend_pid(other)
            except Exception as error:
                failures.append(error)
            finally:
                other.close()

        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join()
        assert len(failures) == 1
        assert isinstance(failures[0], OperationalError)
        assert "couldn't get a connection" in str(failures[0])
        # ...and the metrics count it, once the pool's figures are reported.
        timeouts = "portal_database_pool_timeouts_total"
        before = PROCESS_REGISTRY.get_sample_value(timeouts)
        report(pooled.pool)
        assert PROCESS_REGISTRY.get_sample_value(timeouts) == before + 1
        assert PROCESS_REGISTRY.get_sample_value("portal_database_pool_max_connections") == 1


def prepared_statements(connection):
    """How many statements reading pg_database are prepared in this connection's session."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM pg_database WHERE%"],
        )
        return cursor.fetchone()[0]


def read_often(connection):
    for _ in range(PREPARE_THRESHOLD + 1):
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = %s", ["postgres"])
            assert cursor.fetchone()


@on_postgresql
def test_a_statement_run_often_is_prepared_on_its_connection(probe):
    assert prepared_statements(probe) == 0
    read_often(probe)
    assert prepared_statements(probe) == 1


@on_postgresql
def test_without_prepared_statements_the_values_are_written_into_the_text(django_db_blocker):
    config = database_settings(server_url(), prepared_statements=False)
    with registered(django_db_blocker, config) as connection:
        read_often(connection)
        assert prepared_statements(connection) == 0


@on_postgresql
@pytest.mark.django_db
def test_a_statement_with_more_values_than_the_protocol_binds_still_runs():
    """Django binds one parameter per value of an IN list; PostgreSQL takes 65,535 at most. A
    bulk action over a large selection, or a deletion cascading to many rows, has more."""
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="readers")
    many = [*range(-MOST_PARAMETERS - 10, 0), group.pk]
    assert list(Group.objects.filter(pk__in=many)) == [group]
    assert list(Group.objects.filter(pk__in=many).iterator()) == [group]  # a named cursor
    assert Group.objects.filter(pk__in=many).delete()[0] == 1
