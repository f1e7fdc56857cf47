from django.db import DatabaseError, connection, transaction

import pytest

from reporting.factories import ClueFactory
from reporting.models import LedgerEntry
from reporting.models.clues import LedgerIsAppendOnly

pytestmark = pytest.mark.django_db


def test_the_orm_cannot_change_or_remove_ledger_entries(site_tree):
    clue = ClueFactory(region=None)
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


def checks_done():
    """The rows a test writes in its own transaction leave deferred foreign-key checks
    pending, and PostgreSQL refuses TRUNCATE and ALTER TABLE until they have run; committed
    rows, as in real use, have none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def refused(sql, params=None):
    """Runs one statement through the real connection and says whether the database refused
    it as the ledger's triggers do; the transaction is undone either way."""
    checks_done()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


def test_the_database_refuses_raw_update_and_delete(site_tree):
    """Any client, not only the ORM: on PostgreSQL and on SQLite alike, one row or all."""
    clue = ClueFactory(region=None)
    pk = clue.ledger.get().pk
    for sql, params in (
        ("UPDATE reporting_ledgerentry SET note = 'x' WHERE id = %s", [pk]),
        ("UPDATE reporting_ledgerentry SET note = 'x'", None),
        ("DELETE FROM reporting_ledgerentry WHERE id = %s", [pk]),
        ("DELETE FROM reporting_ledgerentry", None),
    ):
        assert refused(sql, params), sql
    assert LedgerEntry.objects.filter(pk=pk, note="").count() == 1


def test_postgresql_refuses_truncate_even_cascaded_from_the_clues(site_tree):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused above")
    clue = ClueFactory(region=None)
    assert refused("TRUNCATE reporting_ledgerentry")
    assert refused("TRUNCATE reporting_ledgerentry RESTART IDENTITY CASCADE")
    assert refused("TRUNCATE reporting_clue CASCADE")
    assert clue.ledger.count() == 1


def test_postgresql_refuses_in_replica_mode_too(site_tree):
    """session_replication_role = replica skips ordinary triggers (as a replication or bulk
    load session sets it): the ledger's fire in every mode."""
    if connection.vendor != "postgresql":
        pytest.skip("replication roles are PostgreSQL's")
    clue = ClueFactory(region=None)
    pk = clue.ledger.get().pk
    for sql in (
        "UPDATE reporting_ledgerentry SET note = 'x' WHERE id = %s",
        "DELETE FROM reporting_ledgerentry WHERE id = %s",
        "TRUNCATE reporting_ledgerentry",
    ):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SHOW session_replication_role")
                assert cursor.fetchone() == ("replica",)
            assert refused(sql, [pk] if "%s" in sql else None), sql
    assert LedgerEntry.objects.filter(pk=pk, note="").count() == 1


def test_the_test_suites_flush_leaves_the_guard_as_it_found_it(site_tree):
    """Transactional tests end with a flush, which lifts the triggers for that statement
    alone (tests/conftest.py): afterwards they refuse again."""
    from django.core.management.color import no_style

    ClueFactory(region=None)
    checks_done()
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), ["reporting_ledgerentry"])
    )
    assert LedgerEntry.objects.count() == 0
    ClueFactory(region=None)
    assert refused("DELETE FROM reporting_ledgerentry")
    if connection.vendor == "postgresql":
        assert refused("TRUNCATE reporting_ledgerentry")
    assert LedgerEntry.objects.count() == 1


def test_every_entry_is_mirrored_to_wagtails_site_history_under_its_unit(staff, client):
    """A citizen's report and a reviewer's action each appear in Wagtail's audit log, filed
    under the unit (the national office for a new clue), with the reviewer as its user, and
    are shown by the admin's site history."""
    from wagtail.log_actions import registry
    from wagtail.models import ModelLogEntry

    from portal.factories import SuperuserFactory
    from reporting.jobs import follow_up
    from reporting.lifecycle import review as workflow
    from reporting.models import Unit

    clue = ClueFactory()
    reviewer = staff["intake-hebei"]
    workflow.accept(clue, reviewer, is_key=False)
    mirrored = ModelLogEntry.objects.filter(action__startswith="reporting.")
    # The reviewer's action at once; the report by its follow-up, in the worker, even after
    # a reviewer took the clue on, and once however often the follow-up runs.
    assert list(mirrored.values_list("action", flat=True)) == ["reporting.accepted"]
    assert follow_up.follow_new_clue(clue.pk)
    assert not follow_up.follow_new_clue(clue.pk)
    accepted, submitted = mirrored.order_by("pk")
    root = Unit.get_first_root_node()
    assert (submitted.action, submitted.object_id, submitted.user) == (
        "reporting.submitted",
        str(root.pk),
        None,
    )
    assert submitted.label == str(root) and submitted.data["clue"] == clue.pk
    assert submitted.message == str(registry.get_action_label("reporting.submitted"))
    assert (accepted.action, accepted.user) == ("reporting.accepted", reviewer)
    assert accepted.data["ledger_entry"] == clue.ledger.get(action="accepted").pk
    assert list(registry.get_logs_for_instance(root)) == [accepted, submitted]
    client.force_login(SuperuserFactory())
    response = client.get("/admin/reports/site-history/?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert (
        body.count(str(root)) == 2 and str(registry.get_action_label("reporting.accepted")) in body
    )
