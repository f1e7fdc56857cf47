"""Sightings as staff see them: the notice on the clue's page, the queue filtered by notice,
and the sightings of one notice linked as related clues by the worker's follow-up."""

import re

import pytest

from reporting.factories import ClueFactory, advance
from reporting.jobs import follow_up
from reporting.lifecycle.repeats import link_repeats
from reporting.models import Clue
from tests.reporting.helpers import as_user, page
from tests.reporting.test_repeat_clusters import queue, rows_of

pytestmark = pytest.mark.django_db


def sighting(notice, text, region="130203", **kwargs):
    return ClueFactory(
        subject=notice, category="fugitive", what_happened=text, region=region, **kwargs
    )


def test_the_clue_page_names_the_notice_and_leads_to_its_other_clues(staff, demo):
    notice = demo["wanted"]
    clue = sighting(notice, "（测试，虚构）在汽车站看见此人。")
    html = page(staff["intake-hebei"], clue).content.decode()
    assert 'id="clue-subject"' in html
    assert notice.title in html
    assert f"/admin/pages/{notice.pk}/edit/" in html
    assert f"?subject={notice.pk}" in html
    plain = ClueFactory(region="130203")
    assert 'id="clue-subject"' not in page(staff["intake-hebei"], plain).content.decode()


def test_the_queue_filters_by_notice(staff, demo):
    notice = demo["wanted"]
    seen = [
        sighting(notice, f"（测试，虚构）第{n}次看见此人，描述各不相同{n * 'x'}。") for n in (1, 2)
    ]
    ClueFactory(region="130203")
    numbers = rows_of(queue(staff["intake-hebei"], subject=notice.pk))
    assert sorted(numbers) == sorted(clue.tracking_number for clue in seen)
    offered = re.search(r'<select name="subject".*?</select>', queue(staff["intake-hebei"]), re.S)
    assert f'<option value="{notice.pk}">{notice.title}</option>' in offered.group(0)


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 30, "1 OR 1=1", " "])
def test_a_bad_notice_filter_is_no_error(staff, demo, value):
    """A value that names no page offered is the filter's own error, beside an unfiltered
    queue, as for the queue's other lists; never an error page."""
    clue = sighting(demo["wanted"], "（测试，虚构）看见此人。")
    response = as_user(staff["intake-hebei"]).get("/admin/reporting/clues/", {"subject": value})
    assert response.status_code == 200
    assert clue.tracking_number in rows_of(response.content.decode())


def test_a_notice_out_of_scope_is_not_offered(staff, demo):
    sighting(demo["wanted"], "（测试，虚构）看见此人。", region="440106")
    offered = re.search(r'<select name="subject".*?</select>', queue(staff["intake-hebei"]), re.S)
    assert f'value="{demo["wanted"].pk}"' not in offered.group(0)
    assert rows_of(queue(staff["intake-hebei"], subject=demo["wanted"].pk)) == []


def test_two_sightings_of_one_notice_are_related(staff, demo):
    notice, caught = demo["wanted"], demo["caught"]
    first = sighting(notice, "（测试，虚构）周一在菜市场看见他。")
    other = sighting(caught, "（测试，虚构）在工地看见另一个人。")
    second = sighting(notice, "（测试，虚构）完全不同的描述：他在网吧过夜。")
    assert follow_up.follow_new_clue(first.pk)
    assert follow_up.follow_new_clue(second.pk)
    assert set(second.related.all()) == {first}
    assert other not in second.related.all()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cluster_id == second.cluster_id == first.pk
    html = page(staff["intake-hebei"], second).content.decode()
    assert first.tracking_number in html.replace(" ", "")


def test_a_new_sighting_of_a_concluded_one_is_no_look_back(staff, demo):
    notice = demo["wanted"]
    old = sighting(notice, "（测试，虚构）周一在菜市场看见他。")
    advance(
        old,
        Clue.Status.CONCLUDED,
        conclusion={"finding": "unsubstantiated", "outcome": "no_action", "text": "未找到"},
    )
    new = sighting(notice, "（测试，虚构）周五在火车站看见他。")
    link_repeats(new.pk)
    old.refresh_from_db()
    assert old in new.related.all()
    assert not old.needs_lookback
