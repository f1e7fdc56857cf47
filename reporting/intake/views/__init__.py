"""The public report and status pages, as reporting.urls and portal.errors name them."""

from reporting.intake.views.common import no_referrer
from reporting.intake.views.follow_up import add_evidence, lock, reply, status
from reporting.intake.views.outage import receipt_not_shown, report_not_sent
from reporting.intake.views.report import ReportView, receipt

__all__ = [
    "ReportView",
    "add_evidence",
    "lock",
    "no_referrer",
    "receipt",
    "receipt_not_shown",
    "reply",
    "report_not_sent",
    "status",
]
