from io import StringIO

from django.core.management import call_command

from wagtail.search.backends import get_search_backend

import pytest
from django_tasks_db.models import DBTaskResult

from search.fields import SegmentedSearchField
from tests.search.pages.models import ArticlePage

from .conftest import found_urls


def search(client, query):
    return found_urls(client.get("/search/", {"q": query}))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_queues_indexing_and_the_worker_does_it(client, site_tree):
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())
    page = ArticlePage(title="套路贷受害人如何维权", slug="rights", live=False)
    site_tree["home"].add_child(instance=page)
    page.save_revision().publish()
    assert DBTaskResult.objects.ready().exists()

    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert search(client, "维权") == ["/rights/"]


@pytest.mark.django_db
def test_update_index_rebuilds_what_the_queue_never_did(client, add_page):
    page = add_page("涉案财产的处置", index=False)
    DBTaskResult.objects.all().delete()  # as if the worker had been down
    assert search(client, "涉案财产") == []

    call_command("update_index", stdout=StringIO(), stderr=StringIO())

    assert search(client, "涉案财产") == [page.url]


def test_home_pages_index_their_text_as_words():
    from content.models import HomePage

    segmented = [
        f.field_name for f in HomePage.search_fields if isinstance(f, SegmentedSearchField)
    ]
    assert segmented == ["title", "lead", "body"]


@pytest.mark.django_db
def test_the_backend_is_wagtails_database_backend(site_tree):
    backend = get_search_backend()
    assert type(backend).__module__.startswith("modelsearch.backends.database")
