"""The metrics endpoint, answered before host validation like the probes, and the count of
every request Django answers (portal.metrics)."""

import time

from . import LATENCY, REQUESTS
from .endpoint import PATH, metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsEndpointMiddleware:
    """Answers /metrics beside the probes (portal.health), above host validation, the HTTPS
    redirect, the page cache, the session and the language: Prometheus scrapes a container
    by its address over plain HTTP, and the answer is never stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return metrics(request)
        return self.get_response(request)


class RequestMetricsMiddleware:
    """Counts each request by the URL name of the view that answered it ("app:name", never
    the path: a bounded set of labels), its method and status class, and times it. Below the
    page cache, whose hits it leaves to portal_page_cache_requests_total: most are answered
    before Django (portal.pagecache.front) and never reach a middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        # No match: a redirect or refusal by a middleware (HTTPS, a NUL in the address) or a
        # path no route takes.
        view = match.view_name if match is not None else "unresolved"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(view).observe(elapsed)
        return response
