"""The status pages: the tracking number and access key typed in, then the reporter's
answers and added files, until they leave or half an hour has passed."""

import time

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal import sessions
from reporting.evidence import storage
from reporting.intake import status_sections, throttle
from reporting.intake.forms import AddEvidenceForm, ReplyForm, StatusLookupForm
from reporting.intake.receipts import format_tracking_number, normalize_tracking_number
from reporting.intake.views.common import no_referrer, taking_evidence
from reporting.lifecycle import reporter
from reporting.models import Clue

UNLOCK_SESSION_KEY = "reporting:unlocked"
UNLOCK_SECONDS = 30 * 60


def unlocked_clue(request):
    """The clue this browser proved it may follow, for 30 minutes after the key was typed.
    The key itself is never kept, in the session or in a URL."""
    unlocked = request.session.get(UNLOCK_SESSION_KEY)
    if not unlocked or unlocked["until"] < time.time():
        request.session.pop(UNLOCK_SESSION_KEY, None)
        return None
    return Clue.objects.filter(pk=unlocked["clue"]).first()


def unlock(request, clue):
    """The session that holds the unlock ends with it, on the server as well, and its cookie
    ends with the browser (portal.sessions): the device is not left linked to the report. A
    staff member's session, should one open a report here, keeps its own rules."""
    request.session.cycle_key()
    until = time.time() + UNLOCK_SECONDS
    request.session[UNLOCK_SESSION_KEY] = {"clue": clue.pk, "until": until}
    sessions.end_with_browser_and_at(request.session, until)


@never_cache
def status(request):
    clue = unlocked_clue(request)
    if clue is not None and request.method == "GET":
        return follow_up_page(request, clue)
    if request.method != "POST":
        return lookup_page(request, StatusLookupForm())
    number = normalize_tracking_number(request.POST.get("tracking_number", ""))
    challenge = number is not None and throttle.challenge_needed(number)
    if challenge and "refresh_captcha" in request.POST:
        # A new picture, without JavaScript: a round trip that keeps the number, checks
        # nothing and counts nothing.
        form = StatusLookupForm(initial={"tracking_number": number}, challenge=True)
        return lookup_page(request, form)
    form = StatusLookupForm(request.POST, challenge=challenge)
    if not form.is_valid():
        return lookup_page(request, form, status=400)
    wait = throttle.take_attempt(request, number)
    if wait:
        form.add_error(None, throttle.wait_message(wait))
        return lookup_page(request, form, status=429)
    found = reporter.find_clue_for_reporter(number, form.cleaned_data["access_key"])
    if found is None:
        throttle.record_failure(request, number)
        form.add_error(None, _("The tracking number and access key do not match a report."))
        return lookup_page(request, form, status=400)
    throttle.record_success(request, number)
    unlock(request, found)
    return redirect("reporting:status")


def lookup_page(request, form, status=200):
    page = render(request, "reporting/status_lookup.html", {"form": form}, status=status)
    return no_referrer(page)


def follow_up_page(
    request, clue, reply_form=None, evidence_form=None, status=200, section_forms=None
):
    """The status page; `section_forms`: {section name: its bound form}, for an app's view
    that sends the page back with its form's errors (reporting.intake.status_sections)."""
    questions = [] if clue.is_erased else reporter.open_questions(clue)
    context = {
        # What staff asked and wait for: the page leads with it and its answer box. The box is
        # shown only then, or when an answer sent came back with an error.
        "open_questions": questions,
        "show_reply": bool(questions) or bool(reply_form and reply_form.errors),
        "clue": clue,
        "tracking_number": format_tracking_number(clue.tracking_number),
        "public": clue.public_status(),
        "timeline": reporter.reporter_timeline(clue),
        # Erased messages (a reopened clue keeps their empty rows) are not shown.
        "messages_with_staff": clue.messages.exclude(body=""),
        "evidence_count": clue.evidence.exclude(file="").count(),
        "reply_form": reply_form or ReplyForm(),
        "evidence_form": evidence_form or AddEvidenceForm(clue=clue),
        "sections": status_sections.render_all(request, clue, section_forms),
        "section_errors": any(form.errors for form in (section_forms or {}).values()),
    }
    return no_referrer(render(request, "reporting/status.html", context, status=status))


def erased_refusal():
    return _(
        "This report is closed and its content was erased, so nothing more can be added to "
        "it. To tell us more, send a new report and say that you reported before."
    )


@never_cache
@require_POST
def reply(request):
    clue = unlocked_clue(request)
    if clue is None:
        return redirect("reporting:status")
    form = ReplyForm(request.POST)
    if clue.is_erased:
        # A page left open from before the erasure: the answer is shown back, not lost.
        form.is_valid()
        form.add_error(None, erased_refusal())
        return follow_up_page(request, clue, reply_form=form, status=409)
    if not form.is_valid():
        return follow_up_page(request, clue, reply_form=form, status=400)
    reporter.reporter_reply(clue, form.cleaned_data["body"])
    messages.success(request, _("Your answer was sent."))
    return redirect("reporting:status")


@never_cache
@csrf_exempt
@require_POST
def add_evidence(request):
    return taking_evidence(_add_evidence, request)


def _add_evidence(request):
    clue = unlocked_clue(request)
    if clue is None:
        return redirect("reporting:status")
    if clue.is_erased:
        # The files stay on the reporter's device; nothing of them is read or kept here.
        messages.error(request, erased_refusal())
        return redirect("reporting:status")
    form = AddEvidenceForm(
        request.POST, request.FILES, clue=clue, rejected_files=request.evidence_rejected
    )
    valid = form.is_valid()
    request.evidence_checked = form.processed_files
    if not valid:
        return follow_up_page(request, clue, evidence_form=form, status=400)
    try:
        reporter.add_reporter_evidence(clue, form.processed_files)
    except storage.EvidenceStorageError:
        form.add_error(None, _("We could not store your files just now. Please try again."))
        return follow_up_page(request, clue, evidence_form=form, status=503)
    messages.success(request, _("Your files were added to the report."))
    return redirect("reporting:status")


@never_cache
@require_POST
def lock(request):
    request.session.pop(UNLOCK_SESSION_KEY, None)
    if not sessions.signed_in(request.session):
        # Nothing else of a reporter's is in it: its row and its cookie go now.
        request.session.flush()
    messages.info(request, _("You have left the report. Enter the access key again to return."))
    return redirect("reporting:status")
