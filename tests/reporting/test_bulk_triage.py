"""Bulk actions on the queue, through the admin's HTTP views: each clue decided by the single
action's rules and done or refused on its own, a summary of both, and a bounded number of
queries however many clues there are."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import pytest
from django_tasks_db.models import DBTaskResult

from reporting.admin.bulk import MOST_TICKED
from reporting.factories import ClueFactory, clue_at
from reporting.intake.receipts import format_tracking_number, new_tracking_number
from reporting.lifecycle import bulk
from reporting.models import (
    BulkJob,
    Category,
    Clue,
    Delivery,
    LedgerEntry,
    OutgoingMail,
    Region,
    Transfer,
    Unit,
)

from .helpers import as_user

pytestmark = pytest.mark.django_db
S = Clue.Status


def bulk_post(user, ids=None, *, filter=None, confirm=True, **fields):
    """The bulk form sent as the confirmation page sends it (or, confirm=False, the form)."""
    data = {**fields}
    if filter is not None:
        data.update({"all": "1", "filter": filter})
    else:
        data["id"] = [str(pk) for pk in ids or []]
    if confirm:
        data["confirm"] = "1"
    return as_user(user).post(reverse("clues:bulk"), data)


def newest_job():
    return BulkJob.objects.order_by("-pk").first()


def run_queued_tasks(path="reporting.jobs.bulk."):
    """What the worker would run of these tasks, in this process and the test's transaction
    (the task itself, not others queued alongside it, as its queries are counted)."""
    ready = DBTaskResult.objects.ready().filter(task_path__startswith=path)
    while waiting := list(ready.order_by("enqueued_at")):
        for result in waiting:
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            result.delete()


def many_clues(count, region="130203", status=S.SUBMITTED):
    """`count` new clues at once, as a bulk load writes them (the real intake costs seconds
    each): enough for the queries of a bulk action to show whether they grow per clue."""
    now = timezone.now()
    category = Category.objects.get(slug="gang-crime")
    place = Region.objects.get(code=region)
    numbers = set()
    while len(numbers) < count:
        numbers.add(new_tracking_number())
    clues = Clue.objects.bulk_create(
        Clue(
            tracking_number=number,
            access_key_hash="-",
            status=status,
            category=category,
            region=place,
            what_happened="（测试，虚构）批量生成的无效举报。",
            language="zh-hans",
            submission_token=f"bulk-{number}",
            created_at=now,
            acknowledge_due_at=now + timedelta(days=7),
            feedback_due_at=now + timedelta(days=90),
        )
        for number in sorted(numbers)
    )
    return [clue.pk for clue in clues]


def test_mixed_selection_each_clue_all_or_nothing(staff):
    intake = staff["intake-hebei"]
    new = [ClueFactory() for _ in range(3)]
    screened = clue_at(S.SCREENED)
    response = bulk_post(
        intake, [c.pk for c in [*new, screened]], action="reject", reason="out_of_scope", note="x"
    )
    job = newest_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("clues:bulk_job", args=[job.pk])
    assert (job.status, job.total, job.processed, job.succeeded) == ("done", 4, 4, 3)
    for clue in new:
        clue.refresh_from_db()
        assert clue.status == S.NOT_ACCEPTED
        assert clue.not_accepted_reason == "out_of_scope" and clue.closed_at
        entry = clue.ledger.get(action=LedgerEntry.Action.NOT_ACCEPTED)
        assert (entry.actor, entry.from_status, entry.to_status, entry.note) == (
            intake,
            S.SUBMITTED,
            S.NOT_ACCEPTED,
            "x",
        )
    screened.refresh_from_db()
    assert screened.status == S.SCREENED
    assert not screened.ledger.filter(action=LedgerEntry.Action.NOT_ACCEPTED).exists()
    [refusal] = job.refusals
    assert refusal["clue"] == screened.pk
    # The job's page: counts, and the refused clue linked to its page under its reason.
    html = as_user(intake).get(response["Location"]).content.decode()
    assert escape(refusal["reason"]) in html
    assert reverse("clues:inspect", args=[screened.pk]) in html
    assert format_tracking_number(screened.tracking_number) in html
    assert 'http-equiv="refresh"' not in html


def test_the_reporter_sees_the_reason_as_for_a_single_rejection(staff, client):
    clue = ClueFactory()
    bulk_post(staff["intake-hebei"], [clue.pk], action="reject", reason="insufficient")
    response = client.post(
        "/report/status/",
        {"tracking_number": clue.tracking_number, "access_key": clue.access_key},
    )
    assert response.status_code == 302
    html = client.get("/report/status/").content.decode()
    clue.refresh_from_db()
    assert escape(str(clue.public_status()["explanation"])) in html
    assert clue.get_not_accepted_reason_display() in str(clue.public_status()["explanation"])


def test_a_verifiers_bulk_reject_is_refused_clue_by_clue(staff):
    clues = [clue_at(S.TRANSFERRED) for _ in range(2)]
    bulk_post(staff["verifier-tangshan"], [c.pk for c in clues], action="reject", reason="x")
    # An unknown reason is the form's error: nothing is asked of the clues.
    assert not BulkJob.objects.exists()
    bulk_post(
        staff["verifier-tangshan"], [c.pk for c in clues], action="reject", reason="insufficient"
    )
    job = newest_job()
    assert job.succeeded == 0 and len(job.refusals) == 2
    assert {c.status for c in Clue.objects.filter(pk__in=[c.pk for c in clues])} == {S.TRANSFERRED}


def test_clues_outside_scope_are_not_found_and_never_named(staff):
    intake = staff["intake-hebei"]
    mine = ClueFactory()
    elsewhere = ClueFactory(region="440106")  # Guangdong: outside every Hebei unit
    response = bulk_post(intake, [mine.pk, elsewhere.pk, 99_999_999], action="mark_key")
    job = newest_job()
    assert job.succeeded == 1
    assert [r["clue"] for r in job.refusals] == [None, None]
    assert all(r["tracking_number"] == "" for r in job.refusals)
    html = as_user(intake).get(response["Location"]).content.decode()
    assert elsewhere.tracking_number not in html
    assert format_tracking_number(elsewhere.tracking_number) not in html
    elsewhere.refresh_from_db()
    assert not elsewhere.is_key
    mine.refresh_from_db()
    assert mine.is_key
    assert mine.ledger.filter(action=LedgerEntry.Action.KEY_MARKED, actor=intake).count() == 1


def test_an_empty_or_forged_selection_is_refused_whole(staff):
    intake = staff["intake-hebei"]
    clue = ClueFactory()
    empty = bulk_post(intake, [], action="mark_key")
    assert empty.status_code == 400
    assert 'id="bulk-selection-error"' in empty.content.decode()
    forged = bulk_post(intake, [clue.pk, "1 OR 1=1"], action="mark_key")
    assert forged.status_code == 400
    huge = bulk_post(intake, list(range(1, MOST_TICKED + 2)), action="mark_key")
    assert huge.status_code == 400
    assert 'id="bulk-selection-error"' in huge.content.decode()
    too_long = bulk_post(intake, ["9" * 40], action="mark_key")
    assert too_long.status_code == 400
    assert not BulkJob.objects.exists()
    clue.refresh_from_db()
    assert not clue.is_key


def test_duplicates_of_a_chosen_clue(staff):
    intake = staff["intake-hebei"]
    original, *copies = [ClueFactory() for _ in range(3)]
    # As typed from a receipt: grouped by spaces.
    number = format_tracking_number(original.tracking_number)
    bulk_post(
        intake,
        [original.pk, *(c.pk for c in copies)],
        action="duplicate",
        duplicate_of=number,
    )
    job = newest_job()
    assert job.succeeded == 2
    [refusal] = job.refusals
    assert refusal["clue"] == original.pk
    original.refresh_from_db()
    assert original.status == S.SUBMITTED and original.duplicate_of is None
    for copy in copies:
        copy.refresh_from_db()
        assert copy.status == S.NOT_ACCEPTED
        assert copy.not_accepted_reason == "duplicate" and copy.duplicate_of == original


def test_a_duplicate_of_a_clue_out_of_scope_refuses_the_whole_request(staff):
    intake = staff["intake-hebei"]
    hidden = ClueFactory(region="440106")
    copy = ClueFactory()
    for number in (hidden.tracking_number, "1234 5678 9012", "not a number"):
        response = bulk_post(intake, [copy.pk], action="duplicate", duplicate_of=number)
        assert response.status_code == 200
        assert "duplicate_of" in response.context["form"].errors
    assert not BulkJob.objects.exists()
    copy.refresh_from_db()
    assert copy.status == S.SUBMITTED


def test_transfer_in_bulk(staff):
    intake = staff["intake-hebei"]
    tangshan = Unit.objects.get(code="r130200")
    tangshan.webhook_url = "https://cases.tangshan.example.test/hook"
    tangshan.email = "office@tangshan.example.test"
    tangshan.save()
    screened = [clue_at(S.SCREENED) for _ in range(3)]
    new = ClueFactory()
    ids = [c.pk for c in [*screened, new]]
    past = bulk_post(intake, ids, action="transfer", to_unit=tangshan.pk, mode="normal",
                     deadline=(timezone.localdate() - timedelta(days=1)).isoformat())  # fmt: skip
    assert "deadline" in past.context["form"].errors
    unknown = bulk_post(
        intake, ids, action="transfer", to_unit=987654, mode="normal", deadline="2099-01-01"
    )
    assert "to_unit" in unknown.context["form"].errors
    assert not BulkJob.objects.exists()
    mails = OutgoingMail.objects.count()
    bulk_post(intake, ids, action="transfer", to_unit=tangshan.pk, mode="normal",
              deadline="2099-01-01", note="请核查")  # fmt: skip
    job = newest_job()
    assert job.succeeded == 3 and [r["clue"] for r in job.refusals] == [new.pk]
    for clue in screened:
        clue.refresh_from_db()
        assert (clue.status, clue.unit) == (S.TRANSFERRED, tangshan)
        transfer = clue.transfers.get()
        assert transfer.deadline.date().isoformat() == "2099-01-01"
        assert clue.ledger.filter(action=LedgerEntry.Action.TRANSFERRED).count() == 1
    assert Delivery.objects.filter(transfer__clue__in=screened).count() == 3
    # One email to the unit for the three clues.
    assert OutgoingMail.objects.count() == mails + 1
    mail = OutgoingMail.objects.order_by("-pk").first()
    assert "office@tangshan.example.test" in mail.recipients
    assert all(reverse("clues:inspect", args=[c.pk]) in mail.body for c in screened)
    new.refresh_from_db()
    assert new.status == S.SUBMITTED and not Transfer.objects.filter(clue=new).exists()


def test_a_refused_destination_is_refused_per_clue(staff):
    """A unit the transfer's rule refuses (Guangdong, for a Tangshan clue, in a normal
    transfer from Hebei) is refused for each clue, with the single action's words."""
    guangdong = Unit.objects.filter(region__code__startswith="44").first()
    if guangdong is None:
        pytest.skip("the demo has no Guangdong office")
    clue = clue_at(S.SCREENED)
    bulk_post(staff["intake-hebei"], [clue.pk], action="transfer", to_unit=guangdong.pk,
              mode="normal", deadline="2099-01-01")  # fmt: skip
    job = newest_job()
    assert job.succeeded == 0 and job.refusals[0]["clue"] == clue.pk


def test_the_form_takes_a_preset_and_the_queue_filter(staff):
    intake = staff["intake-hebei"]
    lead = ClueFactory()
    others = [ClueFactory() for _ in range(2)]
    clue_at(S.SCREENED)
    ClueFactory(region="440106")
    number = format_tracking_number(lead.tracking_number)
    url = reverse("clues:bulk")
    response = as_user(intake).get(
        url,
        {
            "all": "1",
            "filter": "status=submitted",
            "action": "duplicate",
            "duplicate_of": number,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["action"] == "duplicate" and form.initial["duplicate_of"] == number
    # Three new clues in Hebei's scope: the Guangdong one and the screened one are not counted.
    assert response.context["count"] == 3
    confirm = bulk_post(
        intake, filter="status=submitted", confirm=False, action="duplicate", duplicate_of=number
    )
    assert confirm.status_code == 200
    assert 'id="bulk-summary"' in confirm.content.decode()
    assert not BulkJob.objects.exists()
    bulk_post(intake, filter="status=submitted", action="duplicate", duplicate_of=number)
    job = newest_job()
    assert set(job.clue_ids) == {lead.pk, *(o.pk for o in others)}
    assert job.succeeded == 2


def test_the_queue_offers_tick_boxes_and_the_filtered_selection(staff):
    clue = ClueFactory()
    html = (
        as_user(staff["intake-hebei"])
        .get(reverse("clues:index"), {"status": "submitted"})
        .content.decode()
    )
    assert f'name="id" value="{clue.pk}" form="clue-bulk-form"' in html
    assert 'id="clue-bulk-all"' in html and "filter=status%3Dsubmitted" in html


def test_a_job_page_is_its_askers_and_the_administrators(staff, admin_user):
    clue = ClueFactory()
    response = bulk_post(staff["intake-hebei"], [clue.pk], action="mark_key")
    url = response["Location"]
    assert as_user(staff["supervisor-hebei"]).get(url).status_code == 404
    assert as_user(admin_user).get(url).status_code == 200
    assert as_user(staff["intake-hebei"]).get(url).status_code == 200


def test_a_large_selection_runs_as_a_task_in_bounded_queries(
    staff, django_capture_on_commit_callbacks
):
    intake = staff["intake-hebei"]
    ids = many_clues(2_000)
    refused = clue_at(S.SCREENED)
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk_post(intake, [*ids, refused.pk], action="reject", reason="out_of_scope")
    job = newest_job()
    assert job.status == BulkJob.Status.QUEUED
    # The page says how far it is, and refreshes itself meanwhile.
    html = as_user(intake).get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in html and "<progress" in html
    with CaptureQueriesContext(connection) as queries:
        run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.processed, job.succeeded) == ("done", 2_001, 2_000)
    assert [r["clue"] for r in job.refusals] == [refused.pk]
    # Five chunks: a few queries each, however many clues; one query per clue would be 2,000.
    assert len(queries) < 120, [q["sql"][:120] for q in queries.captured_queries]
    assert Clue.objects.filter(pk__in=ids, status=S.NOT_ACCEPTED).count() == 2_000
    assert (
        LedgerEntry.objects.filter(clue__in=ids, action=LedgerEntry.Action.NOT_ACCEPTED).count()
        == 2_000
    )


def test_a_failing_chunk_is_reported_whole_and_leaves_its_clues(staff, monkeypatch):
    """A fault while a chunk is written (here: the ledger refuses the insert) rolls the
    chunk back: every clue of it is reported, none is half done, the job stops."""
    intake = staff["intake-hebei"]
    clues = [ClueFactory() for _ in range(2)]

    def broken(entries):
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr(bulk, "record_many", broken)
    bulk_post(intake, [c.pk for c in clues], action="reject", reason="insufficient")
    job = newest_job()
    assert job.status == BulkJob.Status.FAILED
    assert job.succeeded == 0 and {r["clue"] for r in job.refusals} == {c.pk for c in clues}
    assert set(
        Clue.objects.filter(pk__in=[c.pk for c in clues]).values_list("status", flat=True)
    ) == {S.SUBMITTED}


def test_the_destination_rule_and_its_python_twin_agree(staff, admin_user):
    """The transfer asks destinations.allows (no query per clue); the transfer form offers
    destinations.allowed (a query): for every unit, mode, person and kind of clue, they
    give one answer."""
    from reporting.lifecycle import destinations

    units = list(Unit.objects.select_related("region"))
    clues = [
        clue_at(S.SCREENED),
        clue_at(S.TRANSFERRED),
        clue_at(S.SCREENED, region="130000"),
    ]
    people = [staff["intake-hebei"], staff["supervisor-hebei"], admin_user]
    for clue in Clue.objects.filter(pk__in=[c.pk for c in clues]).select_related("region", "unit"):
        for person in people:
            for mode in Transfer.Mode.values:
                by_query = set(
                    Unit.objects.filter(destinations.allowed(clue, person, mode)).values_list(
                        "pk", flat=True
                    )
                )
                by_python = {
                    unit.pk for unit in units if destinations.allows(clue, person, mode, unit)
                }
                assert by_query == by_python, (clue.status, person.username, mode)


def test_the_demo_leaves_reports_to_triage_and_a_finished_bulk_action(staff):
    import reporting.demo

    reporting.demo.demo_review(staff)
    reporting.demo.demo_triage(staff)
    reporting.demo.demo_triage(staff)  # again: nothing added twice
    waiting = Clue.objects.filter(submission_token__startswith="demo-triage-")
    assert waiting.count() == 8 and {c.status for c in waiting} == {S.SUBMITTED}
    job = BulkJob.objects.get()
    assert (job.status, job.succeeded, len(job.refusals)) == ("done", 4, 1)
    page = as_user(staff["intake-hebei"]).get(reverse("clues:bulk_job", args=[job.pk]))
    assert page.status_code == 200


def test_a_job_whose_task_was_lost_is_queued_again_and_finishes(staff):
    from reporting.jobs import bulk as bulk_jobs

    clues = [ClueFactory() for _ in range(2)]
    job = BulkJob.objects.create(
        action=BulkJob.Action.KEY,
        actor=staff["intake-hebei"],
        clue_ids=[c.pk for c in clues],
        total=2,
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert bulk_jobs.resume_stalled() == 1
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.succeeded) == ("done", 2)
    assert bulk_jobs.resume_stalled() == 0


def test_the_confirmation_page_sends_back_what_was_chosen(staff):
    """Through the pages as a person goes: the form, its confirmation, the confirmation's
    own hidden fields sent back."""
    import html as markup
    import re

    intake = staff["intake-hebei"]
    tangshan = Unit.objects.get(code="r130200")
    clues = [clue_at(S.SCREENED) for _ in range(2)]
    client = as_user(intake)
    fields = {"action": "transfer", "to_unit": tangshan.pk, "mode": "listed",
              "deadline": "2099-03-01", "note": "请于月底前核查"}  # fmt: skip
    confirm = client.post(reverse("clues:bulk"), {"id": [c.pk for c in clues], **fields})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and 'name="confirm" value="1"' in page
    form = page[page.index('<form method="post" action="' + reverse("clues:bulk")) :]
    sent = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        sent.setdefault(name, []).append(markup.unescape(value))
    response = client.post(reverse("clues:bulk"), sent)
    assert response.status_code == 302
    job = newest_job()
    assert job.succeeded == 2, job.refusals
    for clue in clues:
        clue.refresh_from_db()
        assert clue.unit == tangshan and clue.is_key  # listed supervision makes a key clue
        assert clue.transfers.get().mode == "listed"
        assert "请于月底前核查" in clue.ledger.get(action=LedgerEntry.Action.TRANSFERRED).note


def test_a_person_finds_their_bulk_actions_again(staff):
    clue = ClueFactory()
    response = bulk_post(staff["intake-hebei"], [clue.pk], action="mark_key")
    mine = as_user(staff["intake-hebei"]).get(reverse("clues:bulk_jobs")).content.decode()
    assert response["Location"] in mine
    theirs = as_user(staff["supervisor-hebei"]).get(reverse("clues:bulk_jobs")).content.decode()
    assert response["Location"] not in theirs


def test_a_duplicate_gone_from_sight_before_the_worker_runs_refuses_every_clue(staff):
    """The clue duplicated is read again when the job runs: if the person can no longer
    see it, no clue is marked as its duplicate."""
    intake = staff["intake-hebei"]
    copies = [ClueFactory() for _ in range(2)]
    hidden = ClueFactory(region="440106")
    job = BulkJob.objects.create(
        action=BulkJob.Action.DUPLICATE,
        actor=intake,
        arguments={"duplicate_of": hidden.pk, "note": ""},
        clue_ids=[c.pk for c in copies],
        total=2,
    )
    bulk.run(job)
    assert (job.status, job.succeeded, len(job.refusals)) == ("done", 0, 2)
    assert {c.status for c in Clue.objects.filter(pk__in=[c.pk for c in copies])} == {S.SUBMITTED}
