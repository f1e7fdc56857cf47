"""The fugitive figures of both statistics pages, registered with reporting.statistics (which
does not know this app). docs/fugitives.md says what each one counts.

A person is one notice whatever its translations: each is counted once, by its original (of
the live notices sharing a translation key, the first written), with the original's status. A
sighting is a clue about a notice (Clue.subject, sightings.py). It led to a capture when the
notice's person was caught on or after the day the sighting was received and the clue has a
conclusion that stood (not withdrawn), substantiated or partly substantiated."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting import statistics as reporting_statistics
from reporting.lifecycle.scope import in_jurisdiction
from reporting.models import Clue, Conclusion

from .models import NoticePage

Status = NoticePage.Status


def people():
    """One live notice per person: the original, not its translations."""
    earlier = NoticePage.objects.live().filter(
        translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk")
    )
    return NoticePage.objects.live().filter(~Exists(earlier))


def sightings():
    """Every clue about a wanted notice."""
    return Clue.objects.filter(subject__in=NoticePage.objects.values("pk"))


def captured():
    """The sightings that led to a capture, as a subquery of their ids. A filter, not an
    annotation counted in an aggregate's filter: Django leaves such an annotation out of the
    aggregate's query while its filter still names it."""
    return (
        sightings()
        .annotate(received_on=TruncDate("created_at"), person=F("subject__translation_key"))
        .filter(led_to_capture())
        .values("pk")
    )


def led_to_capture():
    """The condition on a sighting that it led to a capture (the module's docstring), over
    the annotations captured() gives it: the day it was received and its notice's person."""
    caught = people().filter(
        translation_key=OuterRef("person"),
        status=Status.CAUGHT,
        status_since__gte=OuterRef("received_on"),
    )
    substantiated = Conclusion.objects.filter(
        clue=OuterRef("pk"),
        stood_at__isnull=False,
        withdrawn_at=None,
        finding__in=[Conclusion.Finding.SUBSTANTIATED, Conclusion.Finding.PARTLY],
    )
    return Q(Exists(caught)) & Q(Exists(substantiated))


def _days(scope):
    # status_since is a day: the period's bounds are whole days in the portal's time zone.
    return timezone.localdate(scope.start), timezone.localdate(scope.end)


def supervision_figures(scopes):
    """For each scope: the notices' figures (the national office's only: a notice names no
    unit), and the sightings of the unit's area received in the period, with those that led
    to a capture. Two queries whatever the number of periods."""
    first = scopes[0]
    clues = sightings().filter(in_jurisdiction(first.unit))
    if first.category is not None:
        clues = clues.filter(category=first.category)
    aggregates = {}
    for n, scope in enumerate(scopes):
        received = Q(created_at__gte=scope.start, created_at__lt=scope.end)
        aggregates[f"sightings{n}"] = Count("pk", filter=received)
        aggregates[f"captures{n}"] = Count("pk", filter=received & Q(pk__in=captured()))
    counts = clues.aggregate(**aggregates)
    national = first.unit.is_root()
    if national:
        notices = {}
        for n, scope in enumerate(scopes):
            start, end = _days(scope)
            ended = Q(status_since__gte=start, status_since__lt=end)
            targeted = Q(first_published_at__lt=scope.end)
            notices |= {
                f"published{n}": Count(
                    "pk", filter=Q(first_published_at__gte=scope.start) & targeted
                ),
                f"caught{n}": Count("pk", filter=Q(status=Status.CAUGHT) & ended),
                f"surrendered{n}": Count("pk", filter=Q(status=Status.SURRENDERED) & ended),
                f"targeted{n}": Count("pk", filter=targeted),
                f"caught_by_end{n}": Count(
                    "pk", filter=targeted & Q(status=Status.CAUGHT, status_since__lt=end)
                ),
            }
        notices["wanted"] = Count("pk", filter=Q(status=Status.WANTED))
        notices = people().aggregate(**notices)
    results = []
    for n, _scope in enumerate(scopes):
        row = {
            "fugitive_sightings": counts[f"sightings{n}"],
            "fugitive_sightings_captured": counts[f"captures{n}"],
        }
        if national:
            targeted = notices[f"targeted{n}"]
            row |= {
                "fugitive_notices_published": notices[f"published{n}"],
                "fugitive_notices_wanted": notices["wanted"],
                "fugitive_caught": notices[f"caught{n}"],
                "fugitive_surrendered": notices[f"surrendered{n}"],
                "fugitive_case_rate": round(100 * notices[f"caught_by_end{n}"] / targeted, 1)
                if targeted
                else None,
            }
        results.append(row)
    return results


SUPERVISION_ROWS = [
    (
        "fugitive_notices_published",
        _("Wanted notices published"),
        _(
            "People whose wanted notice was first published in the period (a notice and its "
            "translation are one person). National office only: a notice names no unit."
        ),
    ),
    (
        "fugitive_notices_wanted",
        _("People wanted now"),
        _("Live notices whose person is wanted, at this moment, whatever the period."),
    ),
    (
        "fugitive_caught",
        _("Fugitives caught"),
        _("Notices whose person was caught on a day in the period (the notice's status date)."),
    ),
    (
        "fugitive_surrendered",
        _("Fugitives who surrendered"),
        _("Notices whose person gave themselves up on a day in the period."),
    ),
    (
        "fugitive_case_rate",
        _("Fugitive case rate (%)"),
        _(
            "Caught over targeted: of the people whose notice was published before the end of "
            "the period, the share caught by then."
        ),
    ),
    (
        "fugitive_sightings",
        _("Sightings received"),
        _("Clues about a wanted notice received in the period, in the unit's area."),
    ),
    (
        "fugitive_sightings_captured",
        _("Sightings that led to a capture"),
        _(
            "Of those sightings: the person was caught on or after the day of the sighting, "
            "and the clue's conclusion stood as substantiated or partly substantiated."
        ),
    ),
]


def public_figures():
    """Raw counts over every live notice and every sighting, for the public snapshot, which
    suppresses the small ones."""
    notices = people().aggregate(
        published=Count("pk"),
        wanted=Count("pk", filter=Q(status=Status.WANTED)),
        caught=Count("pk", filter=Q(status=Status.CAUGHT)),
        surrendered=Count("pk", filter=Q(status=Status.SURRENDERED)),
    )
    clues = sightings().aggregate(
        received=Count("pk"), captured=Count("pk", filter=Q(pk__in=captured()))
    )
    figure = reporting_statistics.PublicFigure
    return [
        figure(
            "fugitive_notices",
            _("Wanted notices published"),
            notices["published"],
            definition=_("People named in a wanted notice on this site."),
        ),
        figure(
            "fugitive_wanted",
            _("People wanted now"),
            notices["wanted"],
            definition=_("Of those, people still wanted."),
        ),
        figure(
            "fugitive_caught",
            _("Fugitives caught"),
            notices["caught"],
            definition=_("Of those, people caught."),
        ),
        figure(
            "fugitive_surrendered",
            _("Fugitives who surrendered"),
            notices["surrendered"],
            definition=_("Of those, people who gave themselves up."),
        ),
        figure(
            "fugitive_sightings",
            _("Sightings received"),
            clues["received"],
            definition=_("Reports of a wanted person seen, sent from a wanted notice."),
        ),
        figure(
            "fugitive_sightings_captured",
            _("Sightings that led to a capture"),
            clues["captured"],
            definition=_(
                "Sightings confirmed by the check whose person was caught on or after the "
                "day of the sighting."
            ),
        ),
    ]


def register_figures():
    reporting_statistics.add_figures(60, "fugitives", supervision_figures, SUPERVISION_ROWS)
    reporting_statistics.add_public_figures(60, "fugitives", public_figures)
