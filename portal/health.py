"""Liveness and readiness probes for load balancers and orchestrators."""

import errno
import logging
import shutil
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import queue
from .storage import local_path

logger = logging.getLogger(__name__)

# Once every migration is applied it stays applied for the life of this process (new
# migrations arrive only with new code, hence a new process), so the plan is computed
# until it is first found empty and never again.
_migrations_known_applied = False


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations():
    global _migrations_known_applied
    if _migrations_known_applied:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        first = ", ".join(f"{step.app_label}.{step.name}" for step, _backwards in pending[:3])
        more = ", ..." if len(pending) > 3 else ""
        raise RuntimeError(f"{len(pending)} migrations not applied ({first}{more})")
    _migrations_known_applied = True


def check_task_queue():
    kind = queue.backend_kind()
    if kind == "db":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()
    elif kind == "rq":
        import django_rq

        for name in queue.queue_names():
            django_rq.get_connection(name).ping()


def check_evidence_storage():
    """A small file can be written and removed, and, on a local disk, the largest evidence file
    still fits (a bucket has no free space to ask about). On a bucket the write is an encrypted
    PUT like any evidence; a missing bucket, refused credentials or a dead endpoint fail it
    within the client's timeouts (portal.buckets)."""
    storage = storages["private"]
    name = storage.save(f"health/probe-{uuid.uuid4().hex}", ContentFile(b"\0" * 4096))
    storage.delete(name)
    path = local_path(storage, "health")
    if path is None:
        return
    free = shutil.disk_usage(path).free
    if free < settings.EVIDENCE_MAX_FILE_BYTES:
        raise OSError(errno.ENOSPC, f"{free} bytes free")


CHECKS = (
    ("database", check_database, "database unreachable"),
    ("migrations", check_migrations, "migrations not applied"),
    ("task_queue", check_task_queue, "task queue unreachable"),
)
# Checked after the others and reported as "degraded" with 200: without room for evidence,
# pages and text-only reports still work (a reporter with files is told to try again), so
# the load balancer keeps the instance; monitoring should alert on "degraded".
DEGRADING = (
    ("evidence_storage", check_evidence_storage, "evidence storage full or not writable"),
)


class HealthCheckMiddleware:
    """Answers the probes before host validation and the HTTPS redirect: orchestrators call
    them by container address over plain HTTP, which ALLOWED_HOSTS rightly refuses for pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz/":
            return healthz(request)
        if request.path == "/readyz/":
            return readyz(request)
        return self.get_response(request)


@require_safe
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request):
    results, reason, status = run_checks()
    if status == "unavailable":
        return JsonResponse({"status": status, "reason": reason, "checks": results}, status=503)
    if status == "degraded":
        return JsonResponse({"status": status, "reason": reason, "checks": results})
    return JsonResponse({"status": status, "checks": results})


def run_checks():
    """({check: "ok", "failed" or "skipped"}, the first failure's reason or None, and the
    status: "ok", "degraded" or "unavailable"). The metrics endpoint reads the same."""
    results = {}
    reason = None
    for name, check, failure in CHECKS:
        if reason is not None:
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the log keeps the detail
            logger.warning("readiness check %s failed: %s", name, error)
            results[name] = "failed"
            reason = f"{failure}: {error}" if name == "migrations" else failure
        else:
            results[name] = "ok"
    if reason:
        results.update((name, "skipped") for name, _check, _failure in DEGRADING)
        return results, reason, "unavailable"
    for name, check, failure in DEGRADING:
        try:
            check()
        except Exception as error:  # as above: not fully ready, the log keeps the detail
            logger.warning("readiness check %s failed: %s", name, error)
            results[name] = "failed"
            reason = reason or failure
        else:
            results[name] = "ok"
    return results, reason, "degraded" if reason else "ok"
