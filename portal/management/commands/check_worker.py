import socket
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from portal import queue
from portal.management.commands.run_worker import WORKER_TTL, host_of


class Command(BaseCommand):
    help = (
        "Health check of the RQ task worker of this container (compose.yaml): succeeds when a "
        "worker started here by run_worker is registered in Redis and wrote its heartbeat "
        "recently; fails when it never started, stopped, lost Redis or hangs."
    )
    # Run every minute in each worker container: Django's system checks would only add cost.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            # An idle worker beats every WORKER_TTL - 15 s; a busy one every 30 s or sooner.
            default=WORKER_TTL + 30,
            help="Seconds since the last heartbeat after which the worker counts as dead.",
        )
        parser.add_argument(
            "--host", default=None, help="Whose worker (default: this host's name)."
        )

    def handle(self, *args, max_age, host=None, **options):
        if max_age < 1:
            raise CommandError("--max-age must be at least 1 second.")
        if queue.backend_kind() != "rq":
            raise CommandError(
                "Only RQ workers (REDIS_URL set) register a heartbeat; the database worker "
                "has none to check."
            )
        # Imported here: django_rq is an installed app only when REDIS_URL is set.
        import django_rq
        from rq import Worker

        host = host or socket.gethostname()
        connection = django_rq.get_connection(queue.queue_names()[0])
        try:
            workers = [w for w in Worker.all(connection=connection) if host_of(w.name) == host]
        except Exception as error:  # redis-py's own errors; any of them means unhealthy
            raise CommandError(f"Redis did not answer: {error}") from None
        if not workers:
            raise CommandError(f"No RQ worker of {host} is registered.")
        now = datetime.now(UTC)
        ages = sorted(
            (now - w.last_heartbeat.replace(tzinfo=UTC)).total_seconds()
            for w in workers
            if w.last_heartbeat
        )
        if not ages or ages[0] > max_age:
            last = f"{ages[0]:.0f} s ago" if ages else "never"
            raise CommandError(f"The RQ worker of {host} last beat {last} (limit {max_age} s).")
        self.stdout.write(f"worker of {host}: heartbeat {ages[0]:.0f} s ago")
