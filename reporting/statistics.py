"""The supervision figures of a unit's subtree for a period, computed by the database.

Definitions (docs/statistics.md says the same for readers of the page):
- received: clues reported in the period whose region lies in the unit's jurisdiction;
- accepted: clues of the jurisdiction accepted after screening in the period (a clue accepted
  again after a look-back counts once);
- transferred: distinct clues transferred in the period to a unit of the subtree (a clue sent
  twice counts once);
- acknowledged on time: transfers of the period to the subtree acknowledged within
  CLUE_ACKNOWLEDGE_DAYS days, out of the transfers of the period to the subtree;
- concluded: conclusions of units of the subtree that came to stand (third signature) in the
  period;
- verification rate: concluded / transferred; case rate: concluded with a criminal case filed
  / concluded;
- overdue now: open clues held by a unit of the subtree and marked overdue, at this moment;
- median days to acknowledge (over transfers of the period that were acknowledged) and to
  conclude (from the clue's transfer to its unit to the conclusion standing);
- repeat reports: clues of the jurisdiction reported again after their conclusion, in the
  period.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from .models import Clue, Conclusion, LedgerEntry, Transfer
from .scope import in_jurisdiction

Action = LedgerEntry.Action
OPEN = ~Q(status__in=[Clue.Status.CLOSED, Clue.Status.NOT_ACCEPTED])


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    transferred: int = 0
    transfers: int = 0
    acknowledged_on_time: int = 0
    concluded: int = 0
    cases: int = 0
    overdue_now: int = 0
    repeats: int = 0
    median_days_to_acknowledge: float | None = None
    median_days_to_conclude: float | None = None

    @property
    def verification_rate(self):
        return self.concluded / self.transferred if self.transferred else None

    @property
    def case_rate(self):
        return self.cases / self.concluded if self.concluded else None

    @property
    def on_time_rate(self):
        return self.acknowledged_on_time / self.transfers if self.transfers else None


def _median_days(queryset, duration):
    """The median of a duration, found by the database: count, then read the middle row(s)
    in order. Works the same on SQLite and PostgreSQL."""
    values = queryset.annotate(span=ExpressionWrapper(duration, output_field=DurationField()))
    count = values.count()
    if not count:
        return None
    ordered = values.order_by("span").values_list("span", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return round(sum(span.total_seconds() for span in middle) / len(middle) / 86400, 1)


def figures(unit, start, end, category=None):
    """The figures of `unit`'s subtree for start <= time < end (aware datetimes)."""
    clues = Clue.objects.all()
    if category is not None:
        clues = clues.filter(category=category)
    local = clues.filter(in_jurisdiction(unit))
    subtree = Q(to_unit__path__startswith=unit.path)
    transfers = Transfer.objects.filter(
        subtree, clue__in=clues, created_at__gte=start, created_at__lt=end
    )
    stood = Conclusion.objects.filter(
        unit__path__startswith=unit.path,
        clue__in=clues,
        stood_at__gte=start,
        stood_at__lt=end,
    )
    in_period = Q(ledger__at__gte=start, ledger__at__lt=end)
    counts = local.aggregate(
        received=Count("pk", distinct=True, filter=Q(created_at__gte=start, created_at__lt=end)),
        accepted=Count("pk", distinct=True, filter=in_period & Q(ledger__action=Action.ACCEPTED)),
        repeats=Count(
            "pk", distinct=True, filter=in_period & Q(ledger__action=Action.REPORTED_AGAIN)
        ),
    )
    transfer_counts = transfers.aggregate(
        transferred=Count("clue", distinct=True),
        transfers=Count("pk"),
        on_time=Count(
            "pk",
            filter=Q(
                acknowledged_at__isnull=False,
                acknowledged_at__lte=F("created_at")
                + timedelta(days=settings.CLUE_ACKNOWLEDGE_DAYS),
            ),
        ),
    )
    conclusion_counts = stood.aggregate(
        concluded=Count("pk"),
        cases=Count("pk", filter=Q(outcome=Conclusion.Outcome.CRIMINAL_CASE)),
    )
    overdue = clues.filter(
        OPEN, unit__path__startswith=unit.path, overdue_since__isnull=False
    ).count()
    to_conclude = stood.filter(
        clue__transfers__to_unit=F("unit"), clue__transfers__created_at__lte=F("stood_at")
    )
    return Figures(
        received=counts["received"],
        accepted=counts["accepted"],
        repeats=counts["repeats"],
        transferred=transfer_counts["transferred"],
        transfers=transfer_counts["transfers"],
        acknowledged_on_time=transfer_counts["on_time"],
        concluded=conclusion_counts["concluded"],
        cases=conclusion_counts["cases"],
        overdue_now=overdue,
        median_days_to_acknowledge=_median_days(
            transfers.filter(acknowledged_at__isnull=False), F("acknowledged_at") - F("created_at")
        ),
        median_days_to_conclude=_median_days(
            to_conclude, F("stood_at") - F("clue__transfers__created_at")
        ),
    )


def previous_period(start, end):
    return start - (end - start), start
