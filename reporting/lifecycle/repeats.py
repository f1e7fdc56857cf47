"""Repeat reports: a new clue that names the same people as another, or tells nearly the same
story in the same place, is linked to it; a concluded clue reported again is flagged for
look-back. Runs in the worker after the report is stored, never in the citizen's request."""

import difflib
from datetime import timedelta

from django.db import transaction
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
def link_repeats(clue_id):
    clue = Clue.objects.select_for_update(of=("self",)).get(pk=clue_id)
    repeats = Clue.objects.filter(pk__in=find_repeats(clue))
    clue.related.add(*repeats)
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
