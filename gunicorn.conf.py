"""gunicorn settings for the container and for benchmarks. Overridable with GUNICORN_CMD_ARGS."""

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path


def _whole_number(name, default, lowest):
    """An environment variable that must be a whole number, or a sentence saying so rather
    than a traceback at start."""
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < lowest:
        raise SystemExit(f"{name} must be a whole number of at least {lowest}, not {value!r}")
    return int(value)


# glibc gives each thread that allocates its own malloc arena and seldom gives their freed
# memory back: with 64 threads decoding and re-encoding photos, a worker grew to 947 MB
# (benchmarks/worker_memory.py, drills/multi_instance.py). Set here, in the master before it
# forks, so every worker inherits the cap; GUNICORN_MALLOC_ARENAS=0 leaves glibc's default.
_arenas = _whole_number("GUNICORN_MALLOC_ARENAS", 2, 0)
if _arenas > 0:
    # M_ARENA_MAX is -8 in glibc's malloc.h; other C libraries have no such option.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-8, _arenas)

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = _whole_number("WEB_CONCURRENCY", 2, 1)
# Threads: a request that waits on its client (a slow upload, a header sent a line at a time)
# holds one thread, and the worker's other threads go on. A sync worker is held whole: two
# clients trickling a report form (64 bytes every 2 s) stopped the portal until the worker
# timeout killed both workers, and they came back (drills/slow_clients.py --no-proxy). The
# proxy in front (deploy/nginx/nginx.conf) reads requests whole, so this is the second line,
# for a server reached without it: with 64 threads a worker, 20 slow bodies and 20 slow
# headers left readers and reporters no error and a p99 of 257 ms; with 32, 13 requests waited
# 30 s, as connections are not shared out evenly and one worker had all its threads held.
# Threads start only when requests need them, and a slow client opens no database connection.
# An ASGI worker held the slow clients too, at costs docs/deployment.md#the-web-server lists.
worker_class = "gthread"
threads = _whole_number("WEB_THREADS", 64, 1)
# A worker's threads share a pool of database connections (portal/settings/database.py):
# when each thread kept its own, two servers of 2 workers x 64 threads on one machine (the
# portal and benchmarks/pages.py's anchor) ran PostgreSQL out of its 100 connections, and a
# replica could hold 128. Now a replica holds at most workers x this, whatever its threads.
os.environ.setdefault("DATABASE_POOL_SIZE", str(min(threads, 16)))
# Heartbeat files in memory: a container's /tmp may be a slow overlay and stall workers.
worker_tmp_dir = "/dev/shm"  # nosec B108 # noqa: S108 (heartbeat files only, no data)
timeout = 60
graceful_timeout = 30
# Workers are forked from a master that has already loaded the portal. A recycled worker then
# starts in a millisecond instead of importing Django, Wagtail and the portal again (about
# 1.5 s of CPU, during which it answers nothing), and the workers share the loaded code's
# memory. Recycling stays as a guard against a slow leak, rare enough that the fresh worker's
# empty in-process page cache costs little. At 2,000 requests a busy worker restarted every
# few seconds; at 20,000 a worker answering cached pages at 1,100 a second still restarted
# every 18 s, and its first second of searches and pages rendered afresh by the dozen threads
# at once took the repeated search to 0.59x the bare view (p99 1 s); waiting for one render
# (portal.pagecache.middleware.Renders) left it at 0.66-0.92x, and 200,000 at 0.94-0.99x.
# Memory stays flat without it (docs/deployment.md#memory): at 200,000, a few minutes at that
# rate, hours at a campaign's. Database connections are bounded by the pool, not by this
# (docs/deployment.md, "Database connections").
preload_app = True
max_requests = 200000
max_requests_jitter = 20000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The operators' metrics (portal.metrics, docs/operations.md#metrics): each worker counts its
# requests into files in this folder, and a scrape answered by any worker sums the files of
# all of them, workers recycled since included. Set here, before the portal loads (preload_app):
# prometheus_client chooses between counting in memory and in files when it is imported. A
# deployer's folder (a tmpfs mount) is emptied at start, as the counts of an earlier run must
# not be added to this one's (Prometheus reads a counter that starts again from zero as a
# restart); without one, a folder of this server's own in /dev/shm, removed when it stops.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _memory = Path("/dev/shm")  # nosec B108 # noqa: S108 (this process's own folder in it)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix="portal-metrics-", dir=_memory if _memory.is_dir() else None
    )
    # Remembered across a reload of this file (SIGHUP), which finds the variable set.
    os.environ["PORTAL_OWN_METRICS_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]
_own_metrics_dir = (
    os.environ.get("PORTAL_OWN_METRICS_DIR") == os.environ["PROMETHEUS_MULTIPROC_DIR"]
)
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
_metrics_dir.mkdir(parents=True, exist_ok=True)
for _stale in _metrics_dir.glob("*.db"):
    _stale.unlink()

# No control socket: the image's home folder is read-only and nothing uses it.
control_socket_disable = True

# The access log never records who asked: no client address, no user agent, no referrer.
# gunicorn's own error log names the client of a malformed request, so every line passes
# through a filter that blanks addresses. Reporters must not be traceable through logs.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "portal.logging.RedactAddresses"}},
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def pre_fork(server, worker):
    """Objects the master loaded are never collected: the cyclic garbage collector leaves them
    alone in the workers, instead of touching (and so copying) every shared page.

    The youngest generation is collected after 10,000 new objects instead of Python's 700. A
    request allocates thousands of objects that live until it ends (forms, their fields, model
    instances), and freed by their reference counts: collecting every 700 traversed them about
    once per report and promoted the living to older generations, to be traversed again. A
    report cost 3.5% less CPU in process (alternating blocks of 100 reports); 50,000 gained
    nothing more. Cycles are still collected, a few requests later."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def post_request(worker, req, environ, resp):
    """After a form with files (a report with a photo, say), the worker gives the memory
    its buffers took back to the system: glibc would keep it, and a worker that decoded a
    few photos stayed some 30 MB larger for good (see portal/memory.py)."""
    if environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        from portal.memory import release_freed_memory

        release_freed_memory()


def post_fork(server, worker):
    """A connection the master may have opened while loading must not be shared by two
    workers: each opens its own on first use. A pool the master opened is forgotten, not
    closed: its connections are the master's, and its threads did not survive the fork. The
    worker's own pool reports its figures to the metrics (portal/metrics/pool.py)."""
    from django.conf import settings

    if settings.configured:
        from django.db import connections
        from django.db.backends.postgresql.base import DatabaseWrapper

        pools = DatabaseWrapper._connection_pools
        for connection in connections.all(initialized_only=True):
            if connection.alias in pools:
                connection.connection = None
        pools.clear()
        connections.close_all()
        if settings.DATABASES["default"].get("OPTIONS", {}).get("pool"):
            from portal.metrics.pool import start_reporting

            start_reporting(pools)


def child_exit(server, worker):
    """A worker's counts stay (a counter's sum must not fall when a worker is recycled); its
    live gauges (the database pool's, portal/metrics/pool.py) go with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
