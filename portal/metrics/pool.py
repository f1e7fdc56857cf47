"""The database connection pool's figures (DATABASE_POOL_SIZE), for operators: how full each web
worker's pool is, how long requests waited for a connection, and how many gave up (docs/
operations.md).

psycopg_pool counts them inside each worker. A thread of each worker hands them to
prometheus_client every REPORT_SECONDS (gunicorn.conf.py starts it after the fork): counting
in the request itself would cost every request, and reading them at a scrape would show only
the pool of the worker that answered it. The gauges are summed over the living workers; the
counters over every worker there has been, as the request counts are.
"""

import logging
import threading
import time

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


def report(pool):
    """Hand the pool's figures since the last report to prometheus_client."""
    stats = pool.pop_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    CONNECTIONS.labels("in_use").set(max(size - idle, 0))
    CONNECTIONS.labels("idle").set(idle)
    MAX_CONNECTIONS.set(stats.get("pool_max", 0))
    WAITING.set(stats.get("requests_waiting", 0))
    WAITS.inc(stats.get("requests_queued", 0))
    WAIT_SECONDS.inc(stats.get("requests_wait_ms", 0) / 1000)
    TIMEOUTS.inc(stats.get("requests_errors", 0))
    LOST.inc(stats.get("connections_lost", 0) + stats.get("returns_bad", 0))


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
