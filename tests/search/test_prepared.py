"""A search's SQL written once and bound to each search's words (search/prepared.py) finds
what the backend finds through the ORM, in the same order, on SQLite and PostgreSQL."""

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from wagtail.models import PageViewRestriction

import pytest

from search import prepared
from search.views import searchable_pages

from .conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

WORDS = ["扫黑", "举报", "线索", "恶势力", "保护", "法律", "report", "clue", "2024"]


def through_orm(terms):
    return [page.pk for page in searchable_pages().search(" ".join(terms), operator="and")]


def bound(terms):
    found = prepared.search(searchable_pages, terms)
    assert isinstance(found, prepared.BoundSearch), terms
    return found


@pytest.fixture
def many_pages(add_page, site_tree):
    """Thirty pages in each language, each with a few of the words, title and body apart,
    so that ranks differ and ties are broken by id."""
    rng = random.Random(7)
    for number in range(30):
        title = " ".join(rng.sample(WORDS, 2))
        body = "<p>" + " ".join(rng.choices(WORDS, k=rng.randint(1, 8))) + "</p>"
        add_page(f"{title} {number}", body, index=False)
        add_page(f"{title} en {number}", body, parent=site_tree["en_home"], index=False)
    run_queued_tasks()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_bound_words_find_what_the_orm_finds_in_its_order(many_pages, language):
    rng = random.Random(11)
    queries = [[word] for word in WORDS]
    queries += [rng.sample(WORDS, rng.randint(2, 3)) for _ in range(12)]
    with translation.override(language):
        for terms in queries:
            expected = through_orm(terms)
            found = bound(terms)
            assert found.count() == len(expected), terms
            assert found[0:None] == expected, terms
            # The pages as the paginator asks for them.
            assert found[0:10] + found[10:20] + found[20:30] == expected[:30], terms
            assert found[5:7] == expected[5:7], terms


def test_a_word_that_is_not_only_letters_and_digits_goes_through_the_orm(add_page):
    # query_terms gives no such word; a caller of its own might.
    page = add_page("扫黑工作", "<p>扫黑。</p>")
    with translation.override("zh-hans"):
        for terms in (["扫黑", "don't"], ["扫黑", "a-b"], ["扫黑"]):
            found = prepared.search(searchable_pages, terms)
            assert isinstance(found, prepared.OrmSearch) == (len(terms) > 1), terms
            assert found[0:10] == through_orm(terms), terms
        assert found[0:10] == [page.pk]


def test_one_query_for_a_page_of_results_and_none_to_prepare_again(many_pages):
    with translation.override("zh-hans"):
        bound(["举报"])[0:11]  # prepared for one word
        with CaptureQueriesContext(connection) as queries:
            ids = bound(["线索"])[0:11]
        assert len(queries) == 1 and ids == through_orm(["线索"])[:11]


def test_a_change_of_content_prepares_the_search_again(add_page, site_tree):
    first = add_page("扫黑工作动态", "<p>各地扫黑工作的进展。</p>")
    with translation.override("zh-hans"):
        assert bound(["扫黑"])[0:10] == [first.pk]
        # A restriction is part of the SQL (the pages a reader may see): it must not be
        # answered with the SQL written before it.
        PageViewRestriction.objects.create(page=first, restriction_type="login")
        second = add_page("扫黑成果", "<p>扫黑。</p>")
        assert bound(["扫黑"])[0:10] == [second.pk]


def test_a_stand_in_typed_as_a_query_is_only_a_word(add_page):
    page = add_page("zqw0zq", "<p>zqw1zq</p>")
    with translation.override("zh-hans"):
        assert bound(["zqw0zq", "zqw1zq"])[0:10] == [page.pk]
        assert bound(["zqw1zq"])[0:10] == [page.pk]
        assert bound(["扫黑"])[0:10] == []


def test_slices_outside_the_results(many_pages):
    with translation.override("zh-hans"):
        found = bound(["举报"])
        assert found[10_000:10_010] == []
        with pytest.raises(TypeError):
            found[3]  # the paginator only ever slices


def test_with_nothing_kept_every_search_goes_through_the_orm(add_page, settings):
    settings.PAGE_PARTS_CACHE_SECONDS = 0
    page = add_page("扫黑工作", "<p>扫黑。</p>")
    with translation.override("zh-hans"):
        found = prepared.search(searchable_pages, ["扫黑"])
        assert isinstance(found, prepared.OrmSearch)
        assert found[0:10] == [page.pk]
