from django.db import DatabaseError, connection, transaction

import pytest

from reporting.models import LedgerEntry
from reporting.models.clues import LedgerIsAppendOnly

from .test_workflow import new_clue

pytestmark = pytest.mark.django_db


def test_the_orm_cannot_change_or_remove_ledger_entries(site_tree):
    clue = new_clue(None)
    entry = clue.ledger.get()
    entry.note = "改写历史"
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()
    assert clue.ledger.get().note == ""


def test_postgresql_refuses_raw_update_and_delete(site_tree):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL")
    clue = new_clue(None)
    pk = clue.ledger.get().pk
    for sql in (
        "UPDATE reporting_ledgerentry SET note = 'x' WHERE id = %s",
        "DELETE FROM reporting_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])
    assert LedgerEntry.objects.filter(pk=pk, note="").exists()
