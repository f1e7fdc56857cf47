"""The database connection pool's figures (DATABASE_POOL_SIZE), for operators: how full each web
worker's pool is, how long requests waited for a connection, and how many gave up
(docs/operations.md).

psycopg_pool counts them inside each worker. A thread of each worker hands them to
prometheus_client every REPORT_SECONDS (gunicorn.conf.py starts it after the fork): counting
in the request itself would cost every request, and reading them at a scrape would show only
the pool of the worker that answered it. The gauges are summed over the living workers; the
counters over every worker there has been, as the request counts are.
"""

import logging
import threading
import time
import weakref

from prometheus_client import Counter, Gauge

from . import PROCESS_REGISTRY

logger = logging.getLogger(__name__)

REPORT_SECONDS = 5

CONNECTIONS = Gauge(
    "portal_database_pool_connections",
    "Connections the web workers' pools hold, by state: in_use (lent to a request) or idle.",
    ["state"],
    multiprocess_mode="livesum",
    registry=PROCESS_REGISTRY,
)
MAX_CONNECTIONS = Gauge(
    "portal_database_pool_max_connections",
    "The most connections the web workers' pools may hold together (workers x "
    "DATABASE_POOL_SIZE).",
    multiprocess_mode="livesum",
    registry=PROCESS_REGISTRY,
)
WAITING = Gauge(
    "portal_database_pool_waiting_requests",
    "Requests waiting for a pooled connection at the moment of the last report.",
    multiprocess_mode="livesum",
    registry=PROCESS_REGISTRY,
)
WAITS = Counter(
    "portal_database_pool_waits",
    "Requests that found every pooled connection in use and waited for one.",
    registry=PROCESS_REGISTRY,
)
WAIT_SECONDS = Counter(
    "portal_database_pool_wait_seconds",
    "Seconds requests spent waiting for a pooled connection.",
    registry=PROCESS_REGISTRY,
)
TIMEOUTS = Counter(
    "portal_database_pool_timeouts",
    "Requests that waited the pool's timeout (5 s) without a connection and were answered as "
    "a database outage (503).",
    registry=PROCESS_REGISTRY,
)
LOST = Counter(
    "portal_database_pool_connections_lost",
    "Pooled connections found broken (by the check before one is lent, or as a request gave "
    "it back) and replaced.",
    registry=PROCESS_REGISTRY,
)


# psycopg_pool's counters, as the last report saw them, per pool. Read and compared rather than
# reset (pop_stats), which would lose a count a request thread added while they were swapped.
_reported = weakref.WeakKeyDictionary()


def report(pool):
    """Hand the pool's figures since the last report to prometheus_client."""
    stats = pool.get_stats()
    seen = _reported.setdefault(pool, {})

    def since_last(*names):
        now = sum(stats.get(name, 0) for name in names)
        added, seen[names] = now - seen.get(names, 0), now
        return added

    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    # pool_size also counts connections being opened: just after a start, "in use" may count
    # one that is not lent yet.
    CONNECTIONS.labels("in_use").set(max(size - idle, 0))
    CONNECTIONS.labels("idle").set(idle)
    MAX_CONNECTIONS.set(stats.get("pool_max", 0))
    WAITING.set(stats.get("requests_waiting", 0))
    WAITS.inc(since_last("requests_queued"))
    WAIT_SECONDS.inc(since_last("requests_wait_ms") / 1000)
    TIMEOUTS.inc(since_last("requests_errors"))
    LOST.inc(since_last("connections_lost", "returns_bad"))


def start_reporting(pools, alias="default"):
    """A daemon thread reporting the pool of `alias` in `pools` (Django's pools by alias,
    filled when a request first connects) every REPORT_SECONDS."""

    def run():
        while True:
            time.sleep(REPORT_SECONDS)
            pool = pools.get(alias)
            if pool is None:
                continue
            try:
                report(pool)
            except Exception:  # a figure missing must never stop the figures to come
                logger.warning("the database pool's figures could not be reported", exc_info=True)

    threading.Thread(target=run, name="database-pool-metrics", daemon=True).start()
