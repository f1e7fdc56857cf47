"""Record a follow-up: a reporter rings the hotline, writes or comes in again about their
clue, and intake take down what they say against the tracking number they read out. The
number is looked up among the clues this person may see only: any other number, whether it
exists or not, gets the same answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from reporting.admin.follow_up_forms import CallerFollowUpForm, StaffEvidenceForm
from reporting.evidence import storage
from reporting.intake import throttle
from reporting.intake.receipts import format_tracking_number
from reporting.intake.views.common import taking_evidence
from reporting.lifecycle import reporter
from reporting.lifecycle.scope import visible_clues
from reporting.models import Clue


def not_found():
    return _("No clue with this tracking number in your jurisdiction.")


@never_cache
@csrf_exempt  # checked by taking_evidence, once the upload handler is in place
def record_follow_up(request):
    if not reporter.takes_follow_ups(request.user):
        raise PermissionDenied
    if request.method != "POST":
        initial = {
            "tracking_number": request.GET.get("number", "")[:40],
            "channel": Clue.Channel.HOTLINE,
        }
        return _page(request, CallerFollowUpForm(initial=initial), StaffEvidenceForm(clue=None))
    return taking_evidence(_record, request)


def _record(request):
    form = CallerFollowUpForm(request.POST)
    evidence_form = StaffEvidenceForm(clue=None)
    if not form.is_valid():
        return _page(request, form, evidence_form, status=400)
    data = form.cleaned_data
    number = data["tracking_number"]
    clue = visible_clues(request.user).filter(tracking_number=number).first()
    matched = None
    if data["access_key"]:
        wait = throttle.take_attempt(request, number)
        if wait:
            form.add_error("access_key", throttle.wait_message(wait))
            return _page(request, form, evidence_form, status=429)
        # Checked whether or not the clue is this person's, at the same cost: the answer
        # below is the same for a number they cannot see.
        matched = reporter.key_matches(clue, data["access_key"])
        if matched:
            throttle.record_success(request, number)
        else:
            throttle.record_failure(request, number)
    if clue is None:
        form.add_error("tracking_number", not_found())
        return _page(request, form, evidence_form, status=404)
    if matched is False:
        form.add_error(
            "access_key",
            _(
                "This access key does not match the tracking number. Check both with the "
                "caller, or leave the key empty to record the follow-up without it."
            ),
        )
        return _page(request, form, evidence_form, status=400)
    files = []
    if request.FILES.getlist("evidence") or request.evidence_rejected:
        evidence_form = StaffEvidenceForm(
            request.POST, request.FILES, clue=clue, rejected_files=request.evidence_rejected
        )
        valid = evidence_form.is_valid()
        request.evidence_checked = evidence_form.processed_files
        if not valid:
            return _page(request, form, evidence_form, status=400)
        files = evidence_form.processed_files
    try:
        reporter.take_follow_up(
            clue, data["body"], staff=request.user, channel=data["channel"], files=files
        )
    except reporter.FollowUpRefused as error:
        form.add_error(None, str(error))
        return _page(request, form, evidence_form, status=409)
    except storage.EvidenceStorageError:
        form.add_error(None, _("We could not store the files just now. Please try again."))
        return _page(request, form, evidence_form, status=503)
    done = _("Follow-up recorded on clue %(number)s (%(channel)s).") % {
        "number": format_tracking_number(clue.tracking_number),
        "channel": Clue.Channel(data["channel"]).label,
    }
    if matched:
        done += " " + _("The access key the caller gave matches.")
    messages.success(request, done)
    return redirect("clues:inspect", pk=clue.pk)


def _page(request, form, evidence_form, status=200):
    title = _("Record a follow-up")
    context = {
        "form": form,
        "evidence_form": evidence_form,
        "page_title": title,
        "header_title": title,
        "header_icon": "comment",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("clues:index"), "label": _("Clue queue")},
            {"url": "", "label": title},
        ],
    }
    return TemplateResponse(request, "reporting/admin/follow_up.html", context, status=status)
