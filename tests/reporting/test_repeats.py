from datetime import timedelta

from django.utils import timezone

import pytest

from reporting.factories import ClueFactory, advance
from reporting.jobs import follow_up
from reporting.jobs.mail import send_unsent
from reporting.lifecycle.repeats import link_repeats
from reporting.models import Clue

pytestmark = pytest.mark.django_db


def report(text, people=(), region="130203", category="market-bullies"):
    return ClueFactory(what_happened=text, parties=people, region=region, category=category)


def test_same_people_link_clues_whatever_the_text(staff):
    first = report("菜市场有人收保护费。", people=["刀疤强"])
    other = report("另一个人在别处欺行霸市。", people=["王麻子"], region="440106")
    third = report("又一次见到此人，完全不同的描述。", people=["刀疤强"], region="440106")
    assert link_repeats(third.pk) == 1
    assert set(third.related.all()) == {first}
    assert third in first.related.all()  # links go both ways
    assert other not in third.related.all()


def test_nearly_the_same_story_in_the_same_place_is_linked(staff):
    first = report("东门菜市场每天早上有三个人挨个摊位收取二十元管理费，不交就掀摊子。")
    second = report("东门菜市场每天早上有三个人挨个摊位收取二十元管理费，不交就掀摊。")
    unrelated = report("工地上有人强行揽活。", category="engineering-construction")
    assert link_repeats(second.pk) == 1
    assert set(second.related.all()) == {first}
    assert unrelated not in second.related.all()


def test_a_concluded_clue_reported_again_is_flagged_for_look_back(staff):
    old = report("有人以砍头息放贷并暴力催收。", people=["光头"])
    advance(
        old,
        Clue.Status.CONCLUDED,
        conclusion={"finding": "unsubstantiated", "outcome": "no_action", "text": "未查实"},
    )
    again = report("那个光头还在放贷催收。", people=["光头"])
    link_repeats(again.pk)
    old.refresh_from_db()
    assert old.needs_lookback
    assert old.ledger.filter(action="reported_again", note=again.tracking_number).exists()
    assert Clue.objects.filter(needs_lookback=True).count() == 1


def test_a_new_clues_follow_up_is_done_once_however_often_it_is_run(staff):
    """The worker's task and the periodic checks may both reach a new clue: intake is told
    once, and the repeat reports are linked."""
    from django.core import mail

    from portal.factories import SuperuserFactory

    SuperuserFactory(email="intake@example.test")
    first = report("菜市场有人收保护费。", people=["刀疤强"])
    second = report("又一次见到此人。", people=["刀疤强"], region="440106")
    assert second.follow_up_pending
    assert follow_up.follow_new_clue(second.pk)
    assert not follow_up.follow_new_clue(second.pk)
    assert len(mail.outbox) == 1  # the second's, sent by its task
    # The first's task was lost: the periodic checks write its email, their pass over the
    # outbox sends it.
    assert follow_up.finish_lost_follow_ups(now=timezone.now() + timedelta(hours=1)) == 1
    assert len(mail.outbox) == 1
    assert send_unsent() == 1
    assert len(mail.outbox) == 2
    assert set(second.related.all()) == {first}
    assert not Clue.objects.filter(follow_up_pending=True).exists()


def test_a_fault_in_linking_repeats_does_not_keep_intake_uninformed(staff, monkeypatch):
    from django.core import mail

    from portal.factories import SuperuserFactory
    from reporting.lifecycle import repeats

    def broken(clue_id):
        raise ValueError("a bug")

    SuperuserFactory(email="intake@example.test")
    clue = report("菜市场有人收保护费。")
    monkeypatch.setattr(repeats, "link_repeats", broken)
    assert follow_up.follow_new_clue(clue.pk)
    assert len(mail.outbox) == 1
    assert not Clue.objects.get(pk=clue.pk).follow_up_pending


def test_a_clue_written_without_django_is_never_followed_up(staff):
    """Rows written by SQL that does not name the column (bulk loads, the benchmark's COPY
    of a million clues) are not pending: the database's own default says so, and the
    periodic checks leave them alone."""
    from django.db import connection

    clue = report("菜市场有人收保护费。")
    follow_up.follow_new_clue(clue.pk)
    skipped = {"id", "follow_up_pending", "tracking_number", "submission_token"}
    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Clue._meta.concrete_fields
        if field.column not in skipped
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reporting_clue ({columns}, tracking_number, submission_token) "  # noqa: S608 (the model's own columns)
            f"SELECT {columns}, %s, %s FROM reporting_clue WHERE id = %s",
            ["100000000008", "written-by-sql", clue.pk],
        )
    copied = Clue.objects.get(submission_token="written-by-sql")
    assert copied.follow_up_pending is False
    assert follow_up.finish_lost_follow_ups(now=timezone.now() + timedelta(hours=1)) == 0
