"""The operators' metrics, in the Prometheus text format (docs/operations.md).

Two kinds of figures. What a web process sees as it answers (requests, their time, the page
cache's hits) is counted here as it happens; under gunicorn each worker counts into its own
files in PROMETHEUS_MULTIPROC_DIR and a scrape of any worker sums them all. What the database
holds (queues, deliveries, mail, overdue clues) is computed when the endpoint is scraped, by
the collectors in portal.metrics.collectors and those the apps register (portal.registry).

This module imports only prometheus_client, so the page cache and the middleware can count
without importing anything else."""

from prometheus_client import CollectorRegistry, Counter, Histogram

# The counters live in a registry of their own, not the library's global one: the endpoint
# composes a fresh registry for each scrape (in-process or summed from the files), and
# nothing else in the process can add to what operators see.
PROCESS_REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "portal_http_requests",
    "Requests answered by Django, by URL name of the view, method and status class. "
    "Pages answered from the page cache before Django are counted in "
    "portal_page_cache_requests_total only.",
    ["view", "method", "status"],
    registry=PROCESS_REGISTRY,
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching the portal's middleware to its response, by URL name.",
    ["view"],
    # Pages render in tens of milliseconds, a report with photos in seconds; gunicorn's
    # timeout is 60 s.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=PROCESS_REGISTRY,
)
PAGE_CACHE = Counter(
    "portal_page_cache_requests",
    "Anonymous reads the page cache could keep, by result: hit (answered from the cache) or "
    "miss (rendered, and stored when it may be).",
    ["result"],
    registry=PROCESS_REGISTRY,
)


# Nothing is counted on import: under gunicorn a count opens this process's file in
# PROMETHEUS_MULTIPROC_DIR, and a process that never answers a request (the task worker, a
# management command, which may be given the variable with the rest of the environment)
# must not need the folder.
def page_cache_hit():
    PAGE_CACHE.labels(result="hit").inc()


def page_cache_miss():
    PAGE_CACHE.labels(result="miss").inc()
