from functools import wraps

from django.urls import path

from reporting.intake import views
from reporting.intake.views import protection

app_name = "reporting"


def no_referrer(view):
    """Every response of the report and status pages, redirects included, tells the browser
    to send no Referer from them: a tracking number or a poster code in an address must not
    reach anyone else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return views.no_referrer(view(request, *args, **kwargs))

    return wrapped


urlpatterns = [
    path("", no_referrer(views.ReportView.as_view()), name="report"),
    path("receipt/", no_referrer(views.receipt), name="receipt"),
    path("status/", no_referrer(views.status), name="status"),
    path("status/reply/", no_referrer(views.reply), name="reply"),
    path("status/evidence/", no_referrer(views.add_evidence), name="add_evidence"),
    path("status/protection/", no_referrer(protection.ask), name="protection"),
    path("status/leave/", no_referrer(views.lock), name="leave"),
]
