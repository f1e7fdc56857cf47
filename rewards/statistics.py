"""The reward figures of both statistics pages, registered with reporting.statistics (which
does not know this app). docs/rewards.md says what each one counts."""

from statistics import median

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting import statistics as reporting_statistics
from reporting.models import Conclusion

from .models import Claim


def _stood_at():
    """When the clue's standing conclusion (the latest not withdrawn) came to stand."""
    return Subquery(
        Conclusion.objects.filter(clue=OuterRef("clue"), withdrawn_at=None)
        .exclude(stood_at=None)
        .order_by("-stood_at", "-pk")
        .values("stood_at")[:1]
    )


def supervision_figures(scopes):
    """For each scope (one unit's subtree and category, several periods): claims made,
    decided (with their amount) and paid in the period, of the units of the subtree (the unit
    that concluded the clue), and the median days from the conclusion standing to the
    payment of those paid. Two queries whatever the number of claims and periods."""
    first = scopes[0]
    claims = Claim.objects.filter(unit__path__startswith=first.unit.path)
    if first.category is not None:
        claims = claims.filter(clue__category=first.category)
    aggregates, touched, paid_any, periods = {}, Q(), Q(), []
    for n, scope in enumerate(scopes):
        # paid_on is a day: the period's bounds are whole days in the portal's time zone.
        days = timezone.localdate(scope.start), timezone.localdate(scope.end)
        claimed = Q(claimed_at__gte=scope.start, claimed_at__lt=scope.end)
        decided = Q(decided_at__gte=scope.start, decided_at__lt=scope.end)
        paid = Q(paid_on__gte=days[0], paid_on__lt=days[1])
        aggregates |= {
            f"claimed{n}": Count("pk", filter=claimed),
            f"decided{n}": Count("pk", filter=decided),
            f"amount{n}": Sum("amount", filter=decided),
            f"paid{n}": Count("pk", filter=paid),
        }
        touched |= claimed | decided | paid
        paid_any |= paid
        periods.append(days)
    counts = claims.filter(touched).aggregate(**aggregates)
    paid_rows = list(
        claims.filter(paid_any)
        .annotate(stood=_stood_at())
        .exclude(stood=None)
        .values_list("paid_on", "stood")
    )
    results = []
    for n, (start, end) in enumerate(periods):
        days = [
            (paid_on - timezone.localdate(stood)).days
            for paid_on, stood in paid_rows
            if start <= paid_on < end
        ]
        results.append(
            {
                "reward_claims": counts[f"claimed{n}"],
                "rewards_decided": counts[f"decided{n}"],
                "reward_amount_decided": counts[f"amount{n}"] or 0,
                "rewards_paid": counts[f"paid{n}"],
                "reward_median_days_to_payment": round(median(days), 1) if days else None,
            }
        )
    return results


SUPERVISION_ROWS = [
    (
        "reward_claims",
        _("Reward claims made"),
        _("Reward claims on clues concluded by these units, made in the period."),
    ),
    (
        "rewards_decided",
        _("Rewards decided"),
        _("Claims whose amount was decided (third signature) in the period."),
    ),
    (
        "reward_amount_decided",
        _("Amount decided (yuan)"),
        _(
            "The amounts of the rewards decided in the period; after a review, the "
            "reviewed amount."
        ),
    ),
    (
        "rewards_paid",
        _("Rewards paid"),
        _("Claims whose payment was recorded with a date in the period."),
    ),
    (
        "reward_median_days_to_payment",
        _("Median days from conclusion to payment"),
        _(
            "Of the rewards paid in the period: from the day the conclusion stood (third "
            "signature) to the day of payment."
        ),
    ),
]


def public_figures():
    """Every claim ever made, decided and paid, and the amount paid: raw counts for the
    public snapshot, which suppresses the small ones (and the amount with its count)."""
    counts = Claim.objects.aggregate(
        claimed=Count("pk"),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        paid=Count("pk", filter=Q(status=Claim.Status.PAID)),
        amount=Sum("amount", filter=Q(status=Claim.Status.PAID)),
    )
    figure = reporting_statistics.PublicFigure
    return [
        figure(
            "reward_claims",
            _("Reward claims"),
            counts["claimed"],
            definition=_("Claims for a reward made by reporters whose clue led to a case."),
        ),
        figure(
            "rewards_decided",
            _("Rewards decided"),
            counts["decided"],
            definition=_("Claims whose amount was decided by three responsible officers."),
        ),
        figure(
            "rewards_paid",
            _("Rewards paid"),
            counts["paid"],
            definition=_("Rewards whose payment to the reporter was recorded."),
        ),
        figure(
            "reward_amount_paid",
            _("Amount paid (yuan)"),
            counts["amount"] or 0,
            drawn_from="rewards_paid",
            definition=_(
                "The total of the rewards paid, in yuan; not shown when the number of "
                "rewards paid is not."
            ),
        ),
    ]


def register_figures():
    reporting_statistics.add_figures(50, "rewards", supervision_figures, SUPERVISION_ROWS)
    reporting_statistics.add_public_figures(50, "rewards", public_figures)
