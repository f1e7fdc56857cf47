"""What a scrape answers: the counters of the web processes, and the figures computed from the
database and the task queue at that moment, by portal's own collectors and those the apps
registered (portal.registry.add_metrics_collector)."""

import contextlib
import logging
import os
from datetime import UTC

from django.db.models import Case, Count, F, Min, When
from django.utils import timezone

from prometheus_client import CollectorRegistry, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from portal import health, queue, registry

from . import PROCESS_REGISTRY

logger = logging.getLogger(__name__)

# Fixed when prometheus_client is first imported: under gunicorn (gunicorn.conf.py sets
# PROMETHEUS_MULTIPROC_DIR before the portal loads) every worker counts into files, and a
# scrape sums the files of all of them, the ones that have exited included.
MULTIPROCESS = values.ValueClass is not values.MutexValue


def scrape_registry():
    """A registry for one scrape: the counters (this process's, or every worker's summed),
    then each collector of the moment, run once."""
    scrape = CollectorRegistry()
    if MULTIPROCESS:
        MultiProcessCollector(scrape, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])
    else:
        scrape.register(PROCESS_REGISTRY)
    scrape.register(_Collectors())
    return scrape


class _Collectors:
    """portal's collectors and the apps', each in turn. One that fails (the database is down)
    leaves the others and the counters answering, and says so in portal_metrics_collector_up,
    so a scrape never fails for want of one figure."""

    def collect(self):
        up = GaugeMetricFamily(
            "portal_metrics_collector_up",
            "1 when the collector computed its figures at this scrape, 0 when it failed "
            "(the log says why).",
            labels=["collector"],
        )
        for name, collect in [*PORTAL_COLLECTORS, *registry.metrics_collectors()]:
            try:
                families = list(collect())
            except Exception:  # any failure: the figure is missing, the scrape goes on
                logger.warning("metrics collector %s failed", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def readiness():
    """The checks of /readyz/, as it runs them (portal.health): 1 passed, 0 failed or skipped
    because an earlier one failed."""
    results, _reason, status = health.run_checks()
    checks = GaugeMetricFamily(
        "portal_readiness_check",
        "1 when the /readyz/ check passed at this scrape, 0 when it failed or was skipped "
        "after an earlier failure.",
        labels=["check"],
    )
    for name, result in results.items():
        checks.add_metric([name], 1 if result == "ok" else 0)
    state = GaugeMetricFamily(
        "portal_readiness_status",
        "The /readyz/ status at this scrape: 1 for the one that holds (ok, degraded or "
        "unavailable), 0 for the others.",
        labels=["status"],
    )
    for each in ("ok", "degraded", "unavailable"):
        state.add_metric([each], 1 if each == status else 0)
    return [checks, state]


def task_queue():
    """Tasks waiting to run and how long the oldest has waited, per queue. A queue with none
    says 0, so an alert on it never goes silent for want of a series."""
    now = timezone.now()
    waiting = dict.fromkeys(queue.queue_names(), (0, None))
    kind = queue.backend_kind()
    if kind == "db":
        waiting.update(_database_queues())
    elif kind == "rq":
        waiting.update(_rq_queues())
    depth = GaugeMetricFamily(
        "portal_task_queue_depth",
        "Tasks ready to run and not yet taken by a worker, per queue (delayed retries count "
        "once their time has come).",
        labels=["queue", "backend"],
    )
    age = GaugeMetricFamily(
        "portal_task_queue_oldest_age_seconds",
        "Seconds the oldest task ready to run has waited, per queue; 0 when none waits.",
        labels=["queue", "backend"],
    )
    for name, (count, oldest) in sorted(waiting.items()):
        depth.add_metric([name, kind], count)
        age.add_metric([name, kind], max((now - oldest).total_seconds(), 0) if oldest else 0)
    return [depth, age]


def _database_queues():
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A task queued to run later is waiting only from its time; the others from their queueing.
    since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    rows = (
        DBTaskResult.objects.ready()
        .order_by()
        .values("queue_name")
        .annotate(count=Count("pk"), oldest=Min(since))
    )
    return {row["queue_name"]: (row["count"], row["oldest"]) for row in rows}


def _rq_queues():
    import django_rq
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    found = {}
    for name in queue.queue_names():
        rq_queue = django_rq.get_queue(name)
        oldest = None
        for job_id in rq_queue.get_job_ids(0, 1):
            # Taken and finished since the list was read: nothing waits there any more.
            with contextlib.suppress(NoSuchJobError):
                oldest = Job.fetch(job_id, connection=rq_queue.connection).enqueued_at
        if oldest is not None and timezone.is_naive(oldest):
            oldest = oldest.replace(tzinfo=UTC)  # RQ keeps UTC times
        found[name] = (rq_queue.count, oldest)
    return found


PORTAL_COLLECTORS = [("readiness", readiness), ("task_queue", task_queue)]
