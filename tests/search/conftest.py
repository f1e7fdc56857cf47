import pytest
from django_tasks_db.models import DBTaskResult

from tests.search.pages.models import ArticlePage


def run_queued_tasks():
    """Run what Wagtail queued (search-index and reference-index updates) in this process,
    inside the test's transaction: the worker command itself closes the connection, which
    only a transactional test survives (test_indexing.py runs it there)."""
    while waiting := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        for result in waiting:
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            result.delete()


@pytest.fixture
def add_page(site_tree):
    """Add an article under a home page (Chinese unless told), published unless told, and
    index what the worker has been given."""
    counter = iter(range(1, 10_000))

    def add(title, body="", *, parent=None, publish=True, index=True):
        parent = parent or site_tree["home"]
        page = ArticlePage(title=title, body=body, slug=f"article-{next(counter)}", live=False)
        parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        if index:
            run_queued_tasks()
        page.refresh_from_db()
        return page

    return add


def found_urls(response):
    return [result["url"] for result in response.context["results"]]
