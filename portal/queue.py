"""Which task backend runs: the health probe and the worker command both need to know."""

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends


def default_backend():
    # django_tasks.default_task_backend is a proxy; its type says nothing about the backend.
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


def backend_kind():
    module = type(default_backend()).__module__
    if module.startswith("django_tasks_rq"):
        return "rq"
    if module.startswith("django_tasks_db"):
        return "db"
    return "other"


def queue_names():
    return sorted(default_backend().queues) or ["default"]
