"""Repeat clusters: clues linked as repeats, through other clues too, share one lead, the
earliest of them, however the links came; the queue lists and groups them, each cluster's
lead first, counting only the clues the reader may see; a cluster out of scope or a bad
value is an empty queue, never an error page."""

import importlib
import re
import secrets
from datetime import timedelta

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

import pytest

from reporting.factories import ClueFactory
from reporting.intake.receipts import format_tracking_number
from reporting.jobs import follow_up
from reporting.lifecycle.repeats import join_cluster, link_repeats
from reporting.models import Clue

from .helpers import as_user

pytestmark = pytest.mark.django_db

HEBEI, GUANGDONG = "130203", "440106"


def report(people, region=HEBEI, days_ago=None):
    clue = ClueFactory(
        # Stories apart, so only the names link them.
        what_happened=f"（测试，虚构）{secrets.token_hex(16)}",
        parties=list(people),
        region=region,
        category="market-bullies",
    )
    if days_ago is not None:
        Clue.objects.filter(pk=clue.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    return clue


def leads(*clues):
    return [Clue.objects.get(pk=clue.pk).cluster_id for clue in clues]


# --- keeping the cluster --------------------------------------------------------------------


def test_a_clue_with_no_repeats_is_in_no_cluster(staff):
    alone = report(["刀疤强"])
    assert link_repeats(alone.pk) == 0
    assert leads(alone) == [None]


def test_two_clusters_a_new_clue_joins_become_one_led_by_the_earliest(staff):
    a, b = report(["刀疤强"], days_ago=9), report(["刀疤强"], days_ago=8)
    c, d = report(["王麻子"], days_ago=7), report(["王麻子"], days_ago=6)
    link_repeats(b.pk)
    link_repeats(d.pk)
    assert leads(a, b, c, d) == [a.pk, a.pk, c.pk, c.pk]  # every member, the lead too
    e = report(["刀疤强", "王麻子"])
    assert link_repeats(e.pk) == 4
    assert leads(a, b, c, d, e) == [a.pk] * 5


def test_an_earlier_clue_linked_later_leads_them_all(staff):
    """A letter entered days after it was received is older than the clues it repeats."""
    b, c = report(["刀疤强"], days_ago=3), report(["刀疤强"], days_ago=2)
    link_repeats(c.pk)
    assert leads(b, c) == [b.pk, b.pk]
    letter = report(["刀疤强"], days_ago=30)
    link_repeats(letter.pk)
    assert leads(letter, b, c) == [letter.pk] * 3


def test_a_chain_of_links_is_one_cluster(staff):
    """A and C name no one in common: B, naming both their people, joins them."""
    a = report(["刀疤强"], days_ago=5)
    b = report(["刀疤强", "王麻子"], days_ago=4)
    link_repeats(b.pk)
    c = report(["王麻子", "李四"], days_ago=3)
    link_repeats(c.pk)
    d = report(["李四"], days_ago=2)
    link_repeats(d.pk)
    assert set(d.related.all()) == {c}
    assert leads(a, b, c, d) == [a.pk] * 4


def test_a_tie_in_time_goes_to_the_lower_id(staff):
    first, second = report(["刀疤强"]), report(["刀疤强"])
    same = timezone.now() - timedelta(days=1)
    Clue.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=same)
    assert join_cluster([second.pk, first.pk]) == first.pk
    assert leads(first, second) == [first.pk] * 2


def test_the_follow_up_in_the_worker_keeps_the_cluster(staff):
    first = report(["刀疤强"])
    second = report(["刀疤强"], region=GUANGDONG)
    assert follow_up.follow_new_clue(second.pk)
    assert leads(first, second) == [first.pk] * 2


def test_the_migration_finds_the_same_clusters_from_the_links(staff):
    """The migration set clusters from the links made before they were kept: the rule is
    the one the linker keeps."""
    clues = [report(["刀疤强"], days_ago=9), report(["刀疤强", "王麻子"], days_ago=1)]
    clues += [report(["王麻子"], days_ago=20), report(["李四"]), report(["李四"])]
    for clue in clues:
        link_repeats(clue.pk)
    kept = leads(*clues)
    Clue.objects.update(cluster=None)
    migration = importlib.import_module("reporting.migrations.0022_clusters_bulk_jobs_intake")
    migration.set_clusters(apps, None)
    assert leads(*clues) == kept
    assert kept == [clues[2].pk] * 3 + [clues[3].pk] * 2


# --- the queue ------------------------------------------------------------------------------


def queue(user, **query):
    response = as_user(user).get(reverse("clues:index"), query)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(html):
    """The tracking numbers of the queue's rows, in order."""
    found = re.search(r'<table class="listing">.*?</table>', html, re.S)
    if found is None:
        return []
    return [
        "".join(number.split())
        for number in re.findall(
            r'<td class="[^"]*clue-queue__number[^"]*">.*?<a [^>]*>\s*([^<]+?)\s*</a>',
            found.group(0),
            re.S,
        )
    ]


@pytest.fixture
def clusters(staff):
    """Two clusters in Hebei, one with a member in Guangdong; a Guangdong cluster with one
    Hebei member; a clue in none. Linked by the real linker."""
    made = {
        "market_lead": report(["刀疤强"], days_ago=10),
        "market_2": report(["刀疤强"], days_ago=4),
        "market_far": report(["刀疤强"], region=GUANGDONG, days_ago=3),
        "market_3": report(["刀疤强"], days_ago=1),
        "site_lead": report(["王麻子"], days_ago=8),
        "site_2": report(["王麻子"], days_ago=2),
        "far_lead": report(["李四"], region=GUANGDONG, days_ago=12),
        "far_here": report(["李四"], days_ago=5),
        "alone": report(["赵五"], days_ago=6),
    }
    for clue in sorted(made.values(), key=lambda c: Clue.objects.get(pk=c.pk).created_at):
        link_repeats(clue.pk)
    return made


def test_the_repeat_filter_groups_each_cluster_with_its_lead_first(staff, clusters):
    c = clusters
    html = queue(staff["intake-hebei"], repeats="true")
    numbers = rows_of(html)
    expected = {
        c[name].tracking_number
        for name in ("market_lead", "market_2", "market_3", "site_lead", "site_2", "far_here")
    }
    assert set(numbers) == expected  # Hebei's clues in clusters: not Guangdong's, not "alone"
    market = [c[n].tracking_number for n in ("market_lead", "market_2", "market_3")]
    site = [c[n].tracking_number for n in ("site_lead", "site_2")]
    # Each cluster together, its lead first, then as they came in.
    start = numbers.index(market[0])
    assert numbers[start : start + 3] == market
    start = numbers.index(site[0])
    assert numbers[start : start + 2] == site
    notice = _(
        "Grouped by repeat cluster, newest cluster first: each cluster's lead clue, "
        "then its repeats in the order they came in. Select a column heading to sort "
        "by it instead."
    )
    assert escape(notice) in html
    # A heading chosen orders as it says.
    chosen = queue(staff["intake-hebei"], repeats="true", ordering="-created_at")
    assert escape(notice) not in chosen
    assert rows_of(chosen)[0] == c["market_3"].tracking_number


def test_the_column_names_the_lead_and_counts_only_clues_in_scope(staff, clusters, superuser):
    c = clusters
    html = queue(staff["intake-hebei"], repeats="true")
    lead = c["market_lead"]
    url = escape(f"{reverse('clues:index')}?cluster={lead.pk}")
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(rf'<a href="{re.escape(url)}"[^>]*>(.*?)</a>', html, re.S)
    ]
    # The three Hebei clues of the cluster show it; the Guangdong member is not counted.
    assert len(cells) == 3
    assert all(cell.startswith(format_tracking_number(lead.tracking_number)) for cell in cells)
    assert all(re.search(r"·\s*3\b", cell) for cell in cells)
    # The lead of the Guangdong cluster is out of scope: neither named nor linked.
    far_lead = c["far_lead"]
    assert far_lead.tracking_number not in html
    assert format_tracking_number(far_lead.tracking_number) not in html
    assert f"cluster={far_lead.pk}" not in html
    # Whoever sees every clue counts all four of the market cluster.
    national = queue(superuser, repeats="true")
    number = format_tracking_number(lead.tracking_number)
    assert re.search(rf"{number}(</span>)? ·\s*4\b", national)


def test_the_cluster_filter_lists_one_cluster(staff, clusters):
    c = clusters
    numbers = rows_of(queue(staff["intake-hebei"], cluster=c["site_lead"].pk))
    assert numbers == [c["site_lead"].tracking_number, c["site_2"].tracking_number]


def test_a_cluster_out_of_scope_shows_nothing(staff, clusters):
    c = clusters
    # Its Hebei member is in scope, its lead is not: the cluster is not theirs to list.
    assert rows_of(queue(staff["intake-hebei"], cluster=c["far_lead"].pk)) == []
    assert rows_of(queue(staff["intake-hebei"], repeats="true"))  # while their own show
    # A clue that is no cluster's lead, and an id no clue has.
    assert rows_of(queue(staff["intake-hebei"], cluster=c["market_2"].pk)) == []
    assert rows_of(queue(staff["intake-hebei"], cluster=c["alone"].pk + 1000)) == []


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "-1",
        "0",
        "1.5",
        "1e3",
        " ",
        "１２",
        str(2**63),
        "9" * 20,
        "9" * 400,
        "9" * 5000,
        "1 OR 1=1",
    ],
)
def test_bad_cluster_values_give_an_empty_queue_not_an_error(staff, clusters, value):
    response = as_user(staff["intake-hebei"]).get(reverse("clues:index"), {"cluster": value})
    assert response.status_code == 200
    html = response.content.decode()
    if value.strip():
        assert rows_of(html) == []
    else:  # nothing given: no filter
        assert rows_of(html)


def test_the_results_view_filters_the_same(staff, clusters):
    """The filter drawer reloads only the table, through the results view."""
    c = clusters
    response = as_user(staff["intake-hebei"]).get(
        reverse("clues:index_results"), {"cluster": c["far_lead"].pk}
    )
    assert response.status_code == 200
    assert c["far_here"].tracking_number not in response.content.decode()
    response = as_user(staff["intake-hebei"]).get(
        reverse("clues:index_results"), {"cluster": "abc"}
    )
    assert response.status_code == 200


def test_the_cluster_column_gives_way_on_a_phone(staff, clusters):
    html = queue(staff["intake-hebei"], repeats="true")
    header = re.search(r"<th([^>]*)>\s*" + re.escape(escape(_("Repeat cluster"))), html)
    assert header and "clue-queue__wide" in header.group(1)
    # Where no clusters are listed, no column of dashes: the due dates keep their room.
    listing = re.search(r'<table class="listing">.*?</table>', queue(staff["intake-hebei"]), re.S)
    assert listing and escape(_("Repeat cluster")) not in listing.group(0)


def test_the_column_costs_the_same_queries_however_many_clusters_a_page_shows(staff):
    user = staff["intake-hebei"]
    people = iter(["甲一", "乙二", "丙三", "丁四", "戊五", "己六", "庚七", "辛八"])

    def pair():
        name = next(people)
        report([name], days_ago=3)
        second = report([name], days_ago=2)
        link_repeats(second.pk)

    def cost():
        queue(user)  # warms what a first visit caches (the unit list, the session)
        with CaptureQueriesContext(connection) as captured:
            queue(user)
        return len(captured)

    report(["壬九"], days_ago=4)
    report(["癸十"], days_ago=4)
    none = cost()
    pair()
    few = cost()
    assert few == none + 1  # the page's clusters, read at once
    for _index in range(5):
        pair()
    assert Clue.objects.filter(cluster__isnull=False).count() == 12
    assert cost() == few


# --- the clue's page ------------------------------------------------------------------------


def test_the_clue_page_names_the_cluster_and_links_to_its_queue(staff, clusters):
    c = clusters
    html = as_user(staff["intake-hebei"]).get(reverse("clues:inspect", args=[c["market_2"].pk]))
    assert html.status_code == 200
    section = re.search(r'<p id="repeat-cluster">(.*?)</p>', html.content.decode(), re.S)
    text = " ".join(section.group(1).split())
    lead = c["market_lead"]
    assert format_tracking_number(lead.tracking_number) in text
    assert re.search(r"\b3\b", text)  # the Guangdong member is not counted
    assert escape(f"{reverse('clues:index')}?cluster={lead.pk}") in section.group(1)


def test_the_clue_page_of_a_cluster_led_out_of_scope_does_not_name_the_lead(staff, clusters):
    c = clusters
    html = (
        as_user(staff["intake-hebei"])
        .get(reverse("clues:inspect", args=[c["far_here"].pk]))
        .content.decode()
    )
    section = re.search(r'<p id="repeat-cluster">(.*?)</p>', html, re.S)
    assert section
    far_lead = c["far_lead"]
    assert format_tracking_number(far_lead.tracking_number) not in html
    assert f"cluster={far_lead.pk}" not in html
    assert re.search(r"\b1\b", section.group(1))


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_leaves_one_cluster_of_four_to_triage(staff):
    from reporting import demo

    clues = demo.demo_repeat_cluster()
    assert demo.demo_repeat_cluster() == clues  # loaded again: the same four
    lead = clues[0]
    assert leads(*clues) == [lead.pk] * 4
    assert Clue.objects.filter(cluster=lead).count() == 4
    channels = {Clue.objects.get(pk=clue.pk).channel for clue in clues}
    assert channels == {Clue.Channel.WEB, Clue.Channel.POSTER, Clue.Channel.HOTLINE}
    assert {clue.status for clue in clues} == {Clue.Status.SUBMITTED}
    numbers = rows_of(queue(staff["intake-hebei"], cluster=lead.pk))
    assert numbers == [clue.tracking_number for clue in clues]


# --- at once --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_joining_one_cluster_at_once_leave_one_cluster(site_tree):
    """While one worker puts a new clue into a cluster, another makes an older clue its lead:
    the second waits for the first and moves the new clue too, rather than leaving it with
    the old lead."""
    import threading

    from django.db import transaction

    import reporting.demo

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite runs one writer at a time")
    reporting.demo.load()
    earliest = report(["刀疤强"], days_ago=30)
    lead, old = report(["刀疤强"], days_ago=9), report(["刀疤强"], days_ago=8)
    new = report(["刀疤强"])
    join_cluster([lead.pk, old.pk])
    joined, go_on, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                join_cluster([new.pk, old.pk])
                joined.set()
                go_on.wait(10)  # holds its locks while the second starts
        except Exception as error:  # reported by the test's thread
            errors.append(error)
        finally:
            joined.set()
            connection.close()

    def second():
        try:
            joined.wait(10)
            join_cluster([earliest.pk, old.pk])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    joined.wait(10)
    threads[1].join(0.5)  # the second is waiting for the first's locks, not done
    assert threads[1].is_alive()
    go_on.set()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert leads(earliest, lead, old, new) == [earliest.pk] * 4


def test_the_clue_page_triages_a_cluster_once_through_the_bulk_form(staff, clusters):
    """From the cluster's line on a clue's page, the bulk form comes preset to mark every
    other clue of the cluster this person may see a duplicate of the lead; sent, the lead is
    untouched and the rest are duplicates of it. The Guangdong member is not offered."""
    c, intake = clusters, staff["intake-hebei"]
    client = as_user(intake)
    html = client.get(reverse("clues:inspect", args=[c["market_2"].pk])).content.decode()
    link = re.search(r'href="([^"]*/bulk/\?[^"]*)"', html)
    assert link, "no bulk link on the clue's page"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    lead = c["market_lead"]
    assert response.context["form"].initial["action"] == "duplicate"
    assert response.context["count"] == 2  # market_2 and market_3: not the lead, not Guangdong
    data = {
        "id": [str(c["market_2"].pk), str(c["market_3"].pk)],
        "action": "duplicate",
        "duplicate_of": format_tracking_number(lead.tracking_number),
        "confirm": "1",
    }
    client.post(reverse("clues:bulk"), data)
    for name in ("market_2", "market_3"):
        clue = Clue.objects.get(pk=c[name].pk)
        assert clue.status == Clue.Status.NOT_ACCEPTED
        assert clue.duplicate_of_id == lead.pk
    assert Clue.objects.get(pk=lead.pk).status == Clue.Status.SUBMITTED
    assert Clue.objects.get(pk=c["market_far"].pk).status == Clue.Status.SUBMITTED
