"""The reviewer's panel on the admin dashboard: what waits for them, with links into the
queue already filtered."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from wagtail.admin.ui.components import Component

from reporting.lifecycle import protection
from reporting.lifecycle.scope import visible_clues
from reporting.models import Clue, Conclusion, Membership, Signature, Transfer

S = Clue.Status
# What each open status waits for, in the order of the loop (Clue.OPEN is that order).
WAITING_FOR = {
    S.SUBMITTED: _("New, to screen"),
    S.SCREENED: _("Accepted, to transfer"),
    S.TRANSFERRED: _("Transferred, to acknowledge"),
    S.ACKNOWLEDGED: _("Acknowledged, to verify"),
    S.VERIFYING: _("Being verified or signed"),
    S.CONCLUDED: _("Concluded, to answer the reporter"),
    S.FEEDBACK: _("Answered, to close"),
}
WAITING = [(status, WAITING_FOR[status]) for status in Clue.OPEN]


def work_summary(user):
    """Counts of the clues in this person's scope per waiting step, the overdue ones, and
    the conclusions waiting for their own signature: two queries."""
    # Every figure here is about open clues: reading only those keeps the panel's cost to the
    # work in hand, not to the years of closed clues behind it.
    clues = visible_clues(user).exclude(status__in=Clue.ENDED)
    now = timezone.now()
    week = now + timedelta(days=7)
    unacknowledged_transfer = Transfer.objects.filter(
        clue=OuterRef("pk"), deadline__lte=week, acknowledged_at__isnull=True
    )
    counts = clues.aggregate(
        overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
        due_this_week=Count(
            "pk",
            filter=Q(overdue_since__isnull=True)
            & (
                Q(status=S.SUBMITTED, acknowledge_due_at__lte=week)
                | Q(feedback_due_at__lte=week)
                | Exists(unacknowledged_transfer)
            ),
        ),
        **{status: Count("pk", filter=Q(status=status)) for status, _label in WAITING},
    )
    mine = Signature.objects.filter(conclusion=OuterRef("pk"), signer=user)
    to_sign = (
        clues.filter(
            status=S.VERIFYING,
            unit__memberships__user=user,
            unit__memberships__role=Membership.Role.SIGNATORY,
        )
        .annotate(
            pending=Exists(
                Conclusion.objects.filter(
                    clue=OuterRef("pk"), stood_at=None, withdrawn_at=None
                ).exclude(Exists(mine))
            )
        )
        .filter(pending=True)
        .distinct()
        .count()
    )
    return counts, to_sign


class ClueWorkPanel(Component):
    name = "clue_work"
    template_name = "reporting/admin/work_panel.html"
    order = 50  # above Wagtail's own panels: for a reviewer this is the day's work

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        counts, to_sign = work_summary(self.user)
        queue = reverse("clues:index")
        # The requests routed to this person only: nobody else learns that a reporter asked.
        asked = protection.open_requests_for(self.user)
        now = timezone.now()
        rows = [
            (label, counts[status], f"{queue}?{urlencode({'status': status})}")
            for status, label in WAITING
            if counts[status]
        ]
        return {
            "rows": rows,
            "overdue": counts["overdue"],
            "due_this_week": counts["due_this_week"],
            "overdue_url": f"{queue}?{urlencode({'overdue': 'true', 'open': 'true'})}",
            "to_sign": to_sign,
            "to_sign_url": f"{queue}?{urlencode({'status': S.VERIFYING})}",
            "queue_url": queue,
            "protection_open": len(asked),
            "protection_overdue": sum(item.is_overdue(now) for item in asked),
            "protection_url": f"{queue}?{urlencode({'protection': 'true'})}",
        }
