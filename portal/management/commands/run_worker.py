import logging
import secrets
import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal import queue, registry

logger = logging.getLogger(__name__)

# An idle RQ worker writes its heartbeat every WORKER_TTL - 15 seconds (RQ's default of 420
# would leave a stuck worker looking alive for seven minutes); check_worker reads it.
WORKER_TTL = 60


def worker_name(host=None):
    """This container's host name and a random part: check_worker finds the worker of its own
    container by the host name, and a restarted worker never meets its predecessor's name,
    which RQ keeps registered until it expires."""
    return f"{host or socket.gethostname()}.{secrets.token_hex(4)}"


def host_of(name):
    return name.rpartition(".")[0]


def queue_periodic_checks():
    """Queue each periodic check the apps registered (portal.registry.add_periodic_task):
    the clues' (deadlines, digests, escalation, left-behind deliveries, erasure after the
    retention period), Wagtail's scheduled publishing, the public statistics and the
    supervisors' stored statistics."""
    for check in registry.periodic_tasks():
        try:
            check.enqueue()
        except Exception:  # a queue outage must not end the worker; the next round retries
            logger.exception("could not queue the periodic check %s", check.name)


def schedule_periodic_checks(stop):
    """Queue the periodic checks every PERIODIC_CHECK_MINUTES. Each check is idempotent, so
    several workers doing this is harmless."""
    while not stop.wait(settings.PERIODIC_CHECK_MINUTES * 60):
        queue_periodic_checks()


class Command(BaseCommand):
    help = (
        "Run the background task worker for the configured backend: the database worker "
        "without REDIS_URL, an RQ worker with it. It also queues the periodic checks "
        "(clue deadlines, erasure of closed clues' content, scheduled publishing of pages)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks that are waiting, then exit (no periodic checks).",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help=(
                "Do not queue the periodic checks (when cron runs check_deadlines, "
                "purge_closed_clues and publish_scheduled)."
            ),
        )

    def handle(self, *args, batch=False, no_schedule=False, **options):
        stop = threading.Event()
        if not (batch or no_schedule):
            threading.Thread(
                target=schedule_periodic_checks, args=(stop,), daemon=True, name="periodic"
            ).start()
        try:
            self.work(batch, options["verbosity"])
        finally:
            stop.set()

    def work(self, batch, verbosity):
        queues = queue.queue_names()
        if queue.backend_kind() == "rq":
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                burst=batch,
                name=worker_name(),
                worker_ttl=WORKER_TTL,
            )
        else:
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                batch=batch,
                reload=False,
                verbosity=verbosity,
            )
