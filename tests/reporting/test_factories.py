"""The clue factories make clues as the service does, at any status, with or without the
demo's units and staff."""

import pytest

from reporting.factories import ClueFactory, clue_at
from reporting.lifecycle.reporter import find_clue_for_reporter
from reporting.models import Clue, ReceiptHandoff, Unit

pytestmark = pytest.mark.django_db
S = Clue.Status


@pytest.mark.parametrize("status", S.values)
def test_a_clue_at_any_status_is_walked_there_by_the_demo_staff(staff, status):
    clue = clue_at(status, named=True, parties=["刀疤强"], photos=1)
    assert clue.status == status
    assert clue.identity == Clue.Identity.NAMED and clue.evidence.count() == 1
    actors = set(clue.ledger.exclude(actor=None).values_list("actor__username", flat=True))
    assert actors <= set(staff)  # no one new was made for the walk
    assert clue.ledger.values_list("action", flat=True).first() == "submitted"


@pytest.mark.parametrize("status", [S.NOT_ACCEPTED, S.CLOSED])
def test_without_the_demo_the_units_and_staff_needed_are_made(status):
    clue = clue_at(status, region="130203")
    assert clue.status == status
    assert Unit.objects.filter(code="r130000").exists()  # the province screens it


def test_the_access_key_opens_the_clue_and_the_receipt_is_handed_off(staff):
    clue = ClueFactory()
    assert clue.follow_up_pending and ReceiptHandoff.objects.count() == 1
    assert find_clue_for_reporter(clue.tracking_number, clue.access_key) == clue


def test_a_clue_cannot_be_built_without_being_stored():
    with pytest.raises(TypeError):
        ClueFactory.build()
