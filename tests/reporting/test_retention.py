"""The retention period: a clue closed (or not accepted) longer ago than CLUE_RETENTION_DAYS
loses its reporter's identity, its messages and its evidence files; its record and every
statistic stay; recent and open clues are not touched."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from reporting import statistics
from reporting.evidence import checks as evidence
from reporting.factories import ClueFactory, advance
from reporting.intake.receipts import format_access_key
from reporting.jobs import retention
from reporting.lifecycle import reporter
from reporting.lifecycle import review as workflow
from reporting.models import Clue, LedgerEntry, Unit

from . import samples

pytestmark = pytest.mark.django_db
Action = LedgerEntry.Action
REPORTER = {"name": "王小明", "phone": "13912345678", "id_number": "", "contact_time": "晚上"}


def submit(text, *, reporter=REPORTER):
    """A named report with a stripped photo and its kept original, through the service."""
    clue = ClueFactory(
        what_happened=text,
        where="某市场",
        parties=[{"name": "刀疤强", "description": "", "role": "头目"}],
        reporter=reporter,
        files=[evidence.process("photo.jpg", samples.jpeg_with_gps())],
    )
    return clue, clue.access_key


def close_after_the_whole_loop(clue, staff):
    """Screened (again, for a reopened clue), verified, concluded, answered and closed by the
    demo's Hebei intake and Tangshan office."""
    return advance(
        clue,
        Clue.Status.CLOSED,
        intake=staff["intake-hebei"],
        verifier=staff["verifier-tangshan"],
        conclusion={
            "finding": "substantiated",
            "outcome": "criminal_case",
            "text": "属实，已立案。",
        },
        feedback="经核查属实，已依法处理。",
    )


def period_passes(clue, extra_days=1):
    """The retention period (and a day) passes after the clue's closure."""
    past = timezone.now() - timedelta(days=settings.CLUE_RETENTION_DAYS + extra_days)
    Clue.objects.filter(pk=clue.pk).update(closed_at=past)


def stored_paths(clue):
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [
        root / name
        for item in clue.evidence.all()
        for name in (item.file.name, item.original_file.name)
        if name
    ]


@pytest.fixture
def scene(staff, settings):
    settings.EVIDENCE_KEEP_ORIGINALS = True
    old, old_key = submit("很久以前办结的线索")
    reporter.ask_reporter(old, "具体是哪个市场？", staff=staff["intake-hebei"])
    reporter.reporter_reply(old, "城南农贸市场，我住在市场对面三楼。")
    old = close_after_the_whole_loop(old, staff)
    period_passes(old)
    rejected, _key = submit("很久以前不予受理的线索")
    workflow.reject(rejected, staff["intake-hebei"], reason="out_of_scope")
    period_passes(rejected)
    recent, _key = submit("最近办结的线索")
    reporter.ask_reporter(recent, "还有别的证据吗？", staff=staff["intake-hebei"])
    recent = close_after_the_whole_loop(recent, staff)
    # Closed a day less than the period ago: not yet.
    period_passes(recent, extra_days=-1)
    still_open, _key = submit("仍在办理的线索")
    reporter.ask_reporter(still_open, "请补充时间。", staff=staff["intake-hebei"])
    return {
        "old": old,
        "old_key": old_key,
        "rejected": rejected,
        "recent": recent,
        "open": still_open,
    }


def hebei_figures():
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    return statistics.figures(Unit.objects.get(code="r130000"), start, end)


def ledger_rows(clue):
    return list(
        clue.ledger.values_list("pk", "at", "action", "actor", "unit", "note", "from_status")
    )


def run(*args):
    out = StringIO()
    call_command("purge_closed_clues", *args, stdout=out)
    return out.getvalue()


def test_the_command_erases_identity_messages_and_files_and_keeps_the_record(scene):
    old = scene["old"]
    files = stored_paths(old)
    assert len(files) == 2 and all(path.exists() for path in files)  # stripped and original
    ledger_before = ledger_rows(old)
    figures_before = hebei_figures()
    assert figures_before.concluded == 2 and figures_before.cases == 2  # a real comparison

    output = run()

    assert output == (
        f"Erased the content of 2 clues closed more than {settings.CLUE_RETENTION_DAYS} days "
        "ago: 2 reporters' identities, 2 messages, 4 evidence files (0 files were already "
        "missing).\n"
    )
    old.refresh_from_db()
    assert old.reporter_sealed is None
    assert reporter.reporter_details(old) is None
    assert old.content_erased_at is not None
    assert set(old.messages.values_list("body", flat=True)) == {""}
    assert old.messages.count() == 2  # who wrote when stays; what was written goes
    assert not any(path.exists() for path in files)
    item = old.evidence.get()
    assert (item.file.name, item.original_file.name) == ("", "")
    assert item.sha256 and item.size  # proof of what was received stays
    # The record of the case stays.
    assert old.status == Clue.Status.CLOSED
    assert (old.category.slug, old.region.code) == ("gang-crime", "130203")
    assert old.what_happened == "很久以前办结的线索"
    assert old.feedback == "经核查属实，已依法处理。"
    assert [p.name for p in old.parties.all()] == ["刀疤强"]
    assert old.conclusions.get().text == "属实，已立案。"
    assert ledger_rows(old)[: len(ledger_before)] == ledger_before
    erased = old.ledger.last()
    assert erased.action == Action.CONTENT_ERASED and erased.actor is None
    assert hebei_figures() == figures_before

    rejected = scene["rejected"]
    rejected.refresh_from_db()
    assert rejected.reporter_sealed is None and not any(
        path.exists() for path in stored_paths(Clue.objects.get(pk=rejected.pk))
    )
    assert rejected.status == Clue.Status.NOT_ACCEPTED


def test_recent_and_open_clues_are_untouched(scene):
    kept = {
        name: (stored_paths(scene[name]), ledger_rows(scene[name])) for name in ("recent", "open")
    }
    run()
    for name, (files, ledger) in kept.items():
        clue = Clue.objects.get(pk=scene[name].pk)
        assert reporter.reporter_details(clue) == REPORTER, name
        assert clue.content_erased_at is None
        assert "" not in set(clue.messages.values_list("body", flat=True))
        assert files and all(path.exists() for path in files), name
        assert ledger_rows(clue) == ledger, name


def test_running_again_changes_nothing(scene):
    run()
    entries = LedgerEntry.objects.count()
    erased_at = Clue.objects.get(pk=scene["old"].pk).content_erased_at
    output = run()
    assert "content of 0 clues" in output
    assert LedgerEntry.objects.count() == entries
    assert Clue.objects.get(pk=scene["old"].pk).content_erased_at == erased_at


def test_a_file_already_missing_is_counted_and_the_rest_erased(scene):
    first = stored_paths(scene["old"])[0]
    first.unlink()
    output = run()
    assert "1 files were already missing" in output
    old = Clue.objects.get(pk=scene["old"].pk)
    assert old.content_erased_at is not None
    assert not any(path.exists() for path in stored_paths(scene["old"]))
    assert old.evidence.get().file.name == ""


def test_a_storage_failure_undoes_that_clue_only_and_the_next_run_finishes(scene):
    """A file that cannot be deleted (here: a folder with something in it stands where the
    file was) leaves its clue as it was, names it, and lets the other clue be erased."""
    path = stored_paths(scene["old"])[0]
    path.unlink()
    path.mkdir()
    (path / "inside").write_bytes(b"x")
    with pytest.raises(CommandError, match=scene["old"].tracking_number):
        run()
    old = Clue.objects.get(pk=scene["old"].pk)
    assert old.content_erased_at is None and old.reporter_sealed is not None
    assert old.messages.exclude(body="").count() == 2
    assert Clue.objects.get(pk=scene["rejected"].pk).content_erased_at is not None
    (path / "inside").unlink()
    path.rmdir()
    assert "content of 1 clues" in run()
    assert Clue.objects.get(pk=scene["old"].pk).content_erased_at is not None


def test_a_dry_run_counts_and_changes_nothing(scene):
    files = stored_paths(scene["old"])
    output = run("--dry-run")
    assert output.startswith("Would erase the content of 2 clues")
    assert "2 reporters' identities, 2 messages, 4 evidence files" in output
    assert all(path.exists() for path in files)
    assert Clue.objects.filter(content_erased_at__isnull=False).count() == 0
    # A preview for another period: the recent clue would go under a shorter one.
    assert "content of 3 clues" in run(
        "--dry-run", "--days", str(settings.CLUE_RETENTION_DAYS - 2)
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "30"], "--days only previews"),
        (["--dry-run", "--days", "0"], "must be 1 or more"),
        (["--dry-run", "--days", "two"], "must be a whole number"),
        (["--limit", "-1"], "must be 1 or more"),
        (["--limit", "x"], "must be a whole number"),
    ],
)
def test_bad_arguments_are_refused_clearly(scene, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Clue.objects.filter(content_erased_at__isnull=False).count() == 0


def test_limit_erases_the_oldest_closures_first(scene):
    Clue.objects.filter(pk=scene["rejected"].pk).update(
        closed_at=timezone.now() - timedelta(days=settings.CLUE_RETENTION_DAYS + 100)
    )
    assert "content of 1 clues" in run("--limit", "1")
    assert Clue.objects.get(pk=scene["rejected"].pk).content_erased_at is not None
    assert Clue.objects.get(pk=scene["old"].pk).content_erased_at is None


def test_a_reopened_clue_is_not_erased_while_open_and_named_again_after_a_new_closure(
    scene, staff
):
    run()
    old = Clue.objects.get(pk=scene["old"].pk)
    assert old.is_erased
    workflow.reopen(old, staff["intake-hebei"], reason="群众再次反映")
    old.refresh_from_db()
    assert not old.is_erased  # the reporter may answer again
    reporter.ask_reporter(old, "能再说说吗？", staff=staff["intake-hebei"])
    assert "content of 0 clues" in run()
    assert old.messages.last().body == "能再说说吗？"
    old = close_after_the_whole_loop(Clue.objects.get(pk=old.pk), staff)
    assert "content of 0 clues" in run()  # closed again just now: a new period runs
    # The whole story moves back in time: the first erasure, then the new closure, long ago.
    long_ago = timezone.now() - timedelta(days=3 * settings.CLUE_RETENTION_DAYS)
    Clue.objects.filter(pk=old.pk).update(content_erased_at=long_ago)
    period_passes(old)
    assert "content of 1 clues" in run()
    assert set(old.messages.values_list("body", flat=True)) == {""}


def test_the_reporter_can_still_follow_an_erased_report(client, scene):
    run()
    old = scene["old"]
    unlock = client.post(
        "/report/status/",
        {
            "tracking_number": old.tracking_number,
            "access_key": format_access_key(scene["old_key"]),
        },
    )
    assert unlock.status_code == 302
    html = client.get("/report/status/").content.decode()
    assert 'id="public-status">已答复<' in html
    assert 'id="content-erased"' in html
    assert "保存期限届满" in html
    assert "城南农贸市场" not in html
    assert 'action="/report/status/reply/"' not in html
    assert 'action="/report/status/evidence/"' not in html

    # A page left open from before: the answer comes back to its writer, not stored.
    response = client.post("/report/status/reply/", {"body": "我还有新的情况。"})
    assert response.status_code == 409
    assert "我还有新的情况。" in response.content.decode()
    assert "发送新的举报" in response.content.decode()
    assert not old.messages.filter(body="我还有新的情况。").exists()


def test_a_reporter_answers_again_when_an_erased_report_is_reopened(client, scene, staff):
    run()
    old = Clue.objects.get(pk=scene["old"].pk)
    workflow.reopen(old, staff["intake-hebei"], reason="群众再次反映")
    reporter.ask_reporter(old, "能再说说市场的情况吗？", staff=staff["intake-hebei"])
    key = format_access_key(scene["old_key"])
    client.post("/report/status/", {"tracking_number": old.tracking_number, "access_key": key})
    html = client.get("/report/status/").content.decode()
    assert "您的举报正在重新核查" in html
    assert "能再说说市场的情况吗？" in html
    assert 'action="/report/status/reply/"' in html
    assert client.post("/report/status/reply/", {"body": "市场还在收钱。"}).status_code == 302
    assert old.messages.last().body == "市场还在收钱。"


def test_staff_see_that_and_when_the_content_was_erased(admin_client, scene):
    run()
    old = Clue.objects.get(pk=scene["old"].pk)
    html = admin_client.get(reverse("clues:inspect", args=[old.pk])).content.decode()
    assert 'id="content-erased"' in html
    assert f"{settings.CLUE_RETENTION_DAYS} 天" in html
    assert "文件已删除" in html
    assert "（内容已删除）" in html
    assert "城南农贸市场" not in html
    item = old.evidence.get()
    download = admin_client.get(reverse("clues:evidence", args=[old.pk, item.pk]))
    assert download.status_code == 302
    assert not old.ledger.filter(action=Action.EVIDENCE_DOWNLOADED).exists()
    with pytest.raises(workflow.TransitionError, match="随线索内容一并删除"):
        workflow.reveal_reporter(old, scene_user(admin_client), reason="电话核实情况")


def scene_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_the_period_shown_to_reporters_is_the_configured_one(client, site_tree, settings):
    import content.demo_pages
    import reporting.demo

    reporting.demo.load()
    settings.CLUE_RETENTION_DAYS = 400
    pages = content.demo_pages.load()
    form = client.get("/report/").content.decode()
    assert "举报办结 400 天后" in form
    privacy = client.get(pages["privacy"].url).content.decode()
    assert 'id="retention-period"' in privacy and "400 天" in privacy
    english = client.get("/en/privacy/").content.decode()
    assert "400 days after a report is closed" in english
    assert "400 days after your report is closed" in client.get("/en/report/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_erasure_is_on_the_workers_schedule(scene):
    from portal.management.commands import run_worker

    assert retention.due().count() == 2
    run_worker.queue_periodic_checks()
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())
    assert retention.due().count() == 0
    assert Clue.objects.get(pk=scene["old"].pk).content_erased_at is not None
    assert Clue.objects.get(pk=scene["recent"].pk).content_erased_at is None


def test_closing_sets_the_closure_time_and_reopening_clears_it(staff):
    clue, _key = submit("办结时间")
    clue = close_after_the_whole_loop(clue, staff)
    assert clue.closed_at is not None
    assert clue.closed_at == clue.ledger.get(action=Action.CLOSED).at
    workflow.reopen(clue, staff["intake-hebei"], reason="回头看")
    clue.refresh_from_db()
    assert clue.closed_at is None


def test_clues_closed_before_the_closure_time_existed_get_it_from_the_ledger(staff):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reporting.migrations.0013_retention")
    closed, _key = submit("迁移前办结")
    closed = close_after_the_whole_loop(closed, staff)
    rejected, _key = submit("迁移前不予受理")
    workflow.reject(rejected, staff["intake-hebei"], reason="insufficient")
    still_open, _key = submit("迁移前仍在办理")
    Clue.objects.update(closed_at=None)

    migration.closed_at_from_the_ledger(apps, None)

    for clue, action in ((closed, Action.CLOSED), (rejected, Action.NOT_ACCEPTED)):
        assert Clue.objects.get(pk=clue.pk).closed_at == clue.ledger.get(action=action).at
    assert Clue.objects.get(pk=still_open.pk).closed_at is None
