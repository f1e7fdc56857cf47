"""What the apps hand to the site-wide plumbing, each from its AppConfig.ready: portal imports
no app, so an app that needs portal to answer for it, run something for it or load its demo
content registers it here.

Everything registered is a function, called only when needed: the web processes never import
a task module or a demo loader."""

# {view name: (answer(request, status), method or None, outage_only)}
_error_answers = {}
_periodic_tasks = []
_demo_steps = []
_demo_refreshes = []
_demo_summaries = []
# {view name: canonical(query_bytes) -> str or None}
_cached_queries = {}
# {name: collect() -> metric families}
_metrics_collectors = {}


def answer_errors(view_name, answer, *, method=None, outage_only=False):
    """`answer(request, status)` replaces the error page for the view named `view_name`
    (a URL name, "app:name"): for requests of `method` only when given, and for a database
    or file-system outage only when `outage_only`."""
    _error_answers[view_name] = (answer, method, outage_only)


def error_answer(view_name, method, outage):
    """The answer registered for this view, request method and kind of error, or None."""
    found = _error_answers.get(view_name)
    if found is None:
        return None
    answer, wanted_method, outage_only = found
    if (wanted_method and method != wanted_method) or (outage_only and not outage):
        return None
    return answer


def cache_queries(view_name, canonical):
    """The page cache may keep the view named `view_name` ("app:name") for anonymous readers
    whatever its query parameters, under `canonical(query_bytes)` (the URL's, undecoded): a
    string that is the same for every query the view answers alike, or None to render that
    one uncached. Called for every hit before Django's handler runs: it should be cheap."""
    _cached_queries[view_name] = canonical


def cached_queries():
    return dict(_cached_queries)


def add_metrics_collector(name, collect):
    """`collect()` gives the app's figures for the operators' metrics endpoint (/metrics,
    docs/operations.md): prometheus_client metric families (GaugeMetricFamily, ...) computed
    at each scrape. It should cost a few aggregate queries: Prometheus calls every 15 to 60
    seconds, and tests bound the queries of a scrape. `name` labels it in
    portal_metrics_collector_up."""
    _metrics_collectors[name] = collect


def metrics_collectors():
    return sorted(_metrics_collectors.items())


def add_periodic_task(order, task):
    """`task()` gives a task (with enqueue() and name) that the worker queues every
    PERIODIC_CHECK_MINUTES, in `order` among the others."""
    _periodic_tasks.append((order, task))


def periodic_tasks():
    return [task() for task in _ordered(_periodic_tasks)]


def add_demo_step(order, step):
    """`step(context)` loads demo content, in `order` among the others, in one transaction.
    `context` is a dict the steps share: what one makes that another needs (the site, the
    demo staff)."""
    _demo_steps.append((order, step))


def add_demo_refresh(order, refresh):
    """`refresh(context)` runs once the demo content is committed (figures computed from it)."""
    _demo_refreshes.append((order, refresh))


def add_demo_summary(order, summary):
    """`summary(context)` gives the line to print at the end of the demo loading (a login, an
    address to try), or None."""
    _demo_summaries.append((order, summary))


def _ordered(entries):
    return [function for _order, function in sorted(entries, key=lambda entry: entry[0])]


def demo_steps():
    return _ordered(_demo_steps)


def demo_refreshes():
    return _ordered(_demo_refreshes)


def demo_summaries():
    return _ordered(_demo_summaries)
