"""Repeat reports: a new clue that names the same people as another, or tells nearly the same
story in the same place, is linked to it; a concluded clue reported again is flagged for
look-back. Runs in the worker after the report is stored, never in the citizen's request."""

import difflib
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from django_tasks import task

from reporting.lifecycle.ledger import record
from reporting.models import Clue, LedgerEntry, Party

SIMILARITY = 0.8  # difflib ratio over the first characters of the two accounts
COMPARED_CHARS = 600
CANDIDATES = 200  # the most recent clues of the same category and region are compared
WINDOW = timedelta(days=730)


def _names(clue):
    return {
        name
        for name in clue.parties.annotate(lname=Lower("name")).values_list("lname", flat=True)
        if len(name.strip()) >= 2
    }


def find_repeats(clue):
    others = Clue.objects.exclude(pk=clue.pk).filter(created_at__gte=clue.created_at - WINDOW)
    names = _names(clue)
    same_people = set()
    if names:
        same_people = set(
            Party.objects.annotate(lname=Lower("name"))
            .filter(lname__in=names, clue__in=others)
            .values_list("clue_id", flat=True)
        )
    nearby = others.filter(category=clue.category_id)
    nearby = nearby.filter(region=clue.region_id) if clue.region_id else nearby
    text = clue.what_happened[:COMPARED_CHARS]
    similar = set()
    for pk, other_text in nearby.order_by("-created_at").values_list("pk", "what_happened")[
        :CANDIDATES
    ]:
        matcher = difflib.SequenceMatcher(None, text, other_text[:COMPARED_CHARS])
        if matcher.quick_ratio() >= SIMILARITY and matcher.ratio() >= SIMILARITY:
            similar.add(pk)
    return same_people | similar


@transaction.atomic
def join_cluster(clue_ids):
    """The clues given, and every cluster any of them is in, become one repeat cluster led by
    the earliest clue of them all (by time received, then pk), set on every member, the lead
    included. The rule migration 0022 applied to the links made before clusters were kept;
    whoever adds related links calls this with the clues they joined. Returns the lead.

    Set-based: one UPDATE of the union whatever its size. The leads are locked before the
    members are read, so two workers joining the same cluster at once take turns and the
    second reads what the first wrote (a row the first moved into the cluster would escape a
    read from before its commit)."""
    ids = set(clue_ids)
    if not ids:
        return None
    locked = set()
    while True:
        clusters = set(
            Clue.objects.filter(pk__in=ids, cluster__isnull=False).values_list(
                "cluster_id", flat=True
            )
        )
        # A lead may have been merged into an earlier cluster while this waited for it.
        clusters |= set(
            Clue.objects.filter(pk__in=clusters, cluster__isnull=False).values_list(
                "cluster_id", flat=True
            )
        )
        wanted = (ids | clusters) - locked
        if not wanted:
            break
        list(
            Clue.objects.select_for_update(of=("self",))
            .filter(pk__in=wanted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked |= wanted
    members = Clue.objects.filter(Q(pk__in=ids) | Q(cluster_id__in=clusters))
    lead = members.order_by("created_at", "pk").values_list("pk", flat=True).first()
    members.exclude(cluster_id=lead).update(cluster_id=lead)
    return lead


def same_subject(clue):
    """The latest other clues about the same page (sightings of one wanted notice): related,
    though each tells its own story. The cluster joins the older ones through them."""
    if clue.subject_id is None:
        return set()
    others = Clue.objects.exclude(pk=clue.pk).filter(
        subject=clue.subject_id, created_at__gte=clue.created_at - WINDOW
    )
    return set(others.order_by("-created_at").values_list("pk", flat=True)[:CANDIDATES])


@transaction.atomic
def link_repeats(clue_id):
    clue = Clue.objects.get(pk=clue_id)
    found = find_repeats(clue)
    about_the_same = same_subject(clue) - found
    # The clue and its repeats are locked together, in the order of their ids: two new
    # clues that repeat each other, followed by two workers at once, would otherwise each
    # lock its own clue first and then wait for the other's to link it (a deadlock, which
    # PostgreSQL ends by refusing one, whose links would be lost).
    list(
        Clue.objects.select_for_update(of=("self",))
        .filter(pk__in={clue_id, *found, *about_the_same})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    repeats = Clue.objects.filter(pk__in=found)
    # Another sighting of the same person is no report "again" of a concluded one: linked,
    # but not sent back for a look-back.
    clue.related.add(*repeats, *Clue.objects.filter(pk__in=about_the_same))
    joined = list(repeats.values_list("pk", flat=True)) + sorted(about_the_same)
    if joined:
        join_cluster([clue.pk, *joined])
    for old in repeats.filter(status__in=Clue.CONCLUDED, needs_lookback=False):
        Clue.objects.filter(pk=old.pk).update(needs_lookback=True)
        record(
            old, LedgerEntry.Action.REPORTED_AGAIN, note=clue.tracking_number, at=timezone.now()
        )
    return repeats.count()


# Queued by the report form before the follow-up (jobs.follow_up) did this work; kept for
# tasks still waiting in a queue across an upgrade.
@task()
def link_repeat_reports(clue_id):
    return link_repeats(clue_id)
