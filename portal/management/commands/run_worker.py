from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal import queue


class Command(BaseCommand):
    help = (
        "Run the background task worker for the configured backend: the database worker "
        "without REDIS_URL, an RQ worker with it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks that are waiting, then exit (database backend only).",
        )

    def handle(self, *args, batch=False, **options):
        queues = queue.queue_names()
        if queue.backend_kind() == "rq":
            call_command("rqworker", *queues, job_class="django_tasks_rq.Job", burst=batch)
        else:
            call_command(
                "db_worker",
                queue_name=",".join(queues),
                batch=batch,
                reload=False,
                verbosity=options["verbosity"],
            )
