"""The queue and the ledger stop counting at a cap: past it they say "more than", never a
number nobody counted."""

from django.urls import reverse

import pytest

from reporting.admin import paging
from reporting.factories import ClueFactory

from .test_admin_review import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_two(monkeypatch):
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)


def test_the_queue_counts_up_to_the_cap_then_says_more(staff, cap_of_two):
    queue = as_user(staff["intake-hebei"])
    ClueFactory(), ClueFactory()
    html = queue.get(reverse("clues:index")).content.decode()
    assert "2 线索" in html and "超过" not in html
    ClueFactory()
    html = queue.get(reverse("clues:index")).content.decode()
    assert "超过 2 条线索" in html
    filtered = queue.get(reverse("clues:index"), {"status": "submitted"}).content.decode()
    assert "超过 2 条匹配结果" in filtered


def test_the_ledger_says_more_than_the_cap(staff, admin_client, cap_of_two):
    for _clue in range(3):
        ClueFactory()
    html = admin_client.get(reverse("ledger:index")).content.decode()
    assert "超过 2 条台账记录" in html
