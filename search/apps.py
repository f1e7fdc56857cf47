from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"  # "search" would be easy to confuse with wagtail.search's tables
    verbose_name = _("Site search")

    def ready(self):
        from django_tasks.signals import task_finished

        from portal import registry

        from . import query

        registry.cache_queries("search:search", query.canonical)
        # Wagtail indexes a published page in a task, after the publication changed the
        # content's generation: a search rendered in between would keep the old results.
        task_finished.connect(_index_updated, dispatch_uid="search-index-updated")


def _index_updated(sender, task_result, **kwargs):
    from portal.pagecache.invalidation import invalidate

    if task_result.task.module_path.startswith("modelsearch."):
        invalidate()
