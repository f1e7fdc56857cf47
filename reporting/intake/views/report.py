"""The report form and the receipt it leads to."""

import math
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from portal import sessions
from reporting.evidence import staging, storage
from reporting.intake import kept_pages, receipts, subjects, throttle
from reporting.intake.antispam import issue_stamp
from reporting.intake.fields import category_options, entry_code_or_blank
from reporting.intake.forms import (
    CLUE_FIELDS,
    MAX_PARTIES,
    PartyFormSet,
    ReportForm,
    with_another_party,
)
from reporting.intake.receipts import format_tracking_number, receipt_access_key
from reporting.intake.views.common import no_referrer, taking_evidence
from reporting.lifecycle import submission
from reporting.models import Category, Clue, Region

# Which form's receipt to show travels in a signed cookie, sent only to the receipt's address
# and only for as long as the receipt waits: the form's own submission token, which the
# browser holds already. The receipt itself waits, encrypted, in receipts.take_receipt until
# it is displayed. No session is written for a report, so sending one makes no commit of its
# own beyond the clue's.
RECEIPT_COOKIE = "receipt"
RECEIPT_COOKIE_SALT = "reporting.receipt-cookie"
# Where receipts waited before they travelled in a cookie; read for a browser caught between
# its report and its receipt by an upgrade.
RECEIPT_SESSION_KEY = "reporting:receipt-token"
# The values of one visit in a kept page (kept_pages), in the order they are cut, and in how
# many places at most each appears: the token is in the stamp too, so the stamp is cut first;
# the captcha's key is in its hidden field, its picture's address and, when the server can
# speak it (espeak-ng), its recording's address.
FIRST_VISIT_VALUES = {"issued": 1, "token": 1, "csrf": 1, "captcha": 3}  # nosec B105 # counts
RECEIPT_VALUES = {"tracking_number": 1, "access_key": 1}
STAGED_ID = re.compile(r"\A[0-9a-f]{32}\Z")


def _printable(value, limit):
    value = value[:limit]
    return value if value.isprintable() else ""


def preselection(query):
    """Poster links carry ?category=&region=&entry=; unknown values are ignored (and values
    with control characters never reach the database, which may refuse them)."""
    initial = {}
    slug = _printable(query.get("category", ""), 60)
    category = Category.objects.filter(slug=slug, active=True).first() if slug else None
    if category:
        initial["category"] = category.pk
    code = _printable(query.get("region", ""), 12)
    if code and Region.objects.filter(code=code).exists():
        initial["region"] = code
    if entry := entry_code_or_blank(query.get("entry", "")):
        initial["entry"] = entry
    return initial


def save_session(request):
    """Save the session now, in the view: a database failure then reaches the error handler,
    which keeps the report (the middleware would answer a failed save with a bare 400), and
    inside a transaction it is undone with the rest. When the browser holds the session's
    cookie already, the middleware is spared a second save that could only fail later."""
    session = request.session
    try:
        session.save()
    except UpdateError as error:  # how the session backend words a failed database write
        raise OperationalError("the session could not be saved") from error
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) == session.session_key:
        session.modified = False


@method_decorator(never_cache, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class ReportView(View):
    """The report form. Its POST takes evidence files (taking_evidence)."""

    template_name = "reporting/report_form.html"

    def get(self, request):
        if not request.GET:
            return self.first_visit(request)
        initial = preselection(request.GET)
        # A switched-off or unknown poster code lands here (posters.services.destination).
        notice = request.GET.get("notice") == "poster"
        # A link may name what the report is about (a wanted notice's "report a sighting").
        if key := subjects.key_of(request.GET, ignore={"notice"} if notice else ()):
            initial["subject"] = key
        form = ReportForm(initial=initial)
        return self.render(form, self.parties(), poster_notice=notice)

    def first_visit(self, request):
        """The same page for every first visit but for four values of its own: written once,
        then filled in (kept_pages)."""
        pages = kept_pages.PagesKeptUntilContentChanges(request, "first-visit", FIRST_VISIT_VALUES)
        skeleton = pages.get()
        csrf = get_token(request)
        if skeleton is not None:
            token = ReportForm.new_token()
            values = {
                "issued": issue_stamp(token),
                "token": token,
                "csrf": csrf,
                "captcha": ReportForm.new_captcha_key(),
            }
            return no_referrer(HttpResponse(skeleton.fill(values)))
        form = ReportForm()
        response = self.render(form, self.parties(), csrf_token=csrf)
        values = {
            "issued": form.initial["issued"],
            "token": form.initial["submission_token"],
            "csrf": csrf,
            "captcha": form.fields["captcha"].widget._key,
        }
        pages.keep(response.content.decode(), values)
        return response

    def post(self, request):
        return taking_evidence(self.handle, request)

    def parties(self, data=None):
        return PartyFormSet(data, prefix="party")

    def handle(self, request):
        token = request.POST.get("submission_token", "")
        token_ok = ReportForm.token_is_valid(token)
        for file_id in request.POST.getlist("remove_staged"):
            if token_ok and STAGED_ID.match(file_id):
                staging.remove(token, file_id)
        staged = staging.staged(token) if token_ok else []
        form = ReportForm(
            request.POST,
            request.FILES,
            rejected_files=request.evidence_rejected,
            staged_files=staged,
        )
        parties = self.parties(with_another_party(request.POST))
        refresh = "refresh_captcha" in request.POST or "add_party" in request.POST
        valid = form.is_valid()  # always: it checks and strips the files to keep
        request.evidence_checked = form.processed_files
        valid = parties.is_valid() and valid
        if not valid and token_ok and Clue.objects.filter(submission_token=token).exists():
            # Sent already (a double click, a resend after a lost response), so its captcha
            # was used up: show its receipt. A resend that passes every check fails to store
            # instead (submission.DuplicateSubmission), with the same outcome.
            return self.to_receipt(token)
        if refresh or not valid:
            self.stage(form, token)
            if refresh:
                # Without JavaScript a new captcha picture or another person's boxes mean a
                # round trip: keep every answer and show no errors yet.
                form = ReportForm(initial=request.POST.dict(), staged_files=staging.staged(token))
                return self.render(form, parties)
            return self.render(self.with_staged(form, token), parties, status=400)
        now = time.time()
        wait = throttle.take_report(request, now)
        if wait:
            # The form was complete: keep it all, files included, and say when to send again.
            form.refusal = "rate"
            minutes = max(1, math.ceil(wait / 60))
            form.add_error(
                None,
                ngettext(
                    "Many reports were sent from your internet connection in a short time, so "
                    "this one has not been sent yet. Please wait %(minutes)s minute, then type "
                    "the characters of the new picture and send again.",
                    "Many reports were sent from your internet connection in a short time, so "
                    "this one has not been sent yet. Please wait %(minutes)s minutes, then type "
                    "the characters of the new picture and send again.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            self.stage(form, token)
            return self.render(self.with_staged(form, token), parties, status=429)
        files = [staging.load(token, file_id, manifest) for file_id, manifest in staged]
        # Kept for report_not_sent, should storing fail beyond what this view can catch.
        request.report_processed_files = form.processed_files
        try:
            submission.submit_clue(
                details={
                    **{field: form.cleaned_data[field] for field in CLUE_FIELDS},
                    "subject": form.about.page if form.about else None,
                },
                parties=[p for p in parties.cleaned_data if p and any(p.values())],
                reporter=form.reporter_details(),
                submission_token=token,
                entry_code=form.cleaned_data.get("entry", ""),
                language=get_language(),
                files=files + form.processed_files,
                protection=form.protection_request(),
            )
        except submission.DuplicateSubmission:
            # The first of two identical requests already stored the clue and its receipt.
            throttle.give_back_report(request, now)
            return self.to_receipt(token)
        except storage.EvidenceStorageError:
            throttle.give_back_report(request, now)
            form.add_error(
                None,
                _(
                    "We could not store your files just now, so nothing was sent. Everything "
                    "you wrote is kept below; please choose your files again and resend."
                ),
            )
            return self.render(form, parties, status=503)
        return self.to_receipt(token)

    def to_receipt(self, token):
        response = redirect("reporting:receipt")
        response.set_signed_cookie(
            RECEIPT_COOKIE,
            token,
            salt=RECEIPT_COOKIE_SALT,
            max_age=int(receipts.RECEIPT_HANDOFF_LIFETIME.total_seconds()),
            path=response["Location"],
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def stage(self, form, token):
        if not ReportForm.token_is_valid(token):
            return
        try:
            refused = [p for p in form.processed_files if not staging.stage(token, p)]
        except OSError:
            form.add_error(
                "evidence", _("Your files could not be kept; please choose them again.")
            )
            return
        if refused:
            form.add_error(
                "evidence",
                _("Not kept, because the report already has as many files as it may: %(names)s")
                % {"names": ", ".join(p.display_name for p in refused)},
            )

    def with_staged(self, form, token):
        form.staged_files = staging.staged(token)
        return form

    def render(self, form, parties, status=200, poster_notice=False, **extra):
        hints = {option.pk: option.hint for option in category_options()}
        context = {
            "form": form,
            "parties": parties,
            "can_add_party": parties.total_form_count() < MAX_PARTIES,
            "category_hints": hints,
            "staged_files": form.staged_files,
            "poster_notice": poster_notice,
            **extra,
        }
        return no_referrer(render(self.request, self.template_name, context, status=status))


@never_cache
def receipt(request):
    """Shows the receipt once to a browser that gets the page: the page deletes the cookie
    that names it. A page lost on its way (a dropped connection, a killed instance) leaves
    the cookie, and a reload within a couple of minutes shows it again (take_receipt).
    Should the database go away before that, nothing is taken and a reload shows it."""
    token = request.get_signed_cookie(
        RECEIPT_COOKIE,
        default=None,
        salt=RECEIPT_COOKIE_SALT,
        max_age=receipts.RECEIPT_HANDOFF_LIFETIME.total_seconds(),
    )
    stored = receipts.take_receipt(token) if token else None
    if token is None and RECEIPT_SESSION_KEY in request.session:
        with transaction.atomic():
            stored = receipts.take_receipt(request.session.pop(RECEIPT_SESSION_KEY))
            if sessions.signed_in(request.session):
                save_session(request)
            else:
                # Nothing else of a reporter's needs it: the row goes, and with it the
                # two-week cookie of that release.
                request.session.flush()
    if stored is None:
        messages.info(
            request,
            _("A receipt is shown only once. Use your tracking number and access key here."),
        )
        response = redirect("reporting:status")
    else:
        response = _receipt_page(request, stored)
    if token is not None:
        response.delete_cookie(RECEIPT_COOKIE, path=request.path, samesite="Lax")
    return no_referrer(response)


def _receipt_page(request, stored):
    """Every receipt is the same page but for its two codes: written once, then filled in
    (kept_pages)."""
    values = {
        "tracking_number": format_tracking_number(stored["tracking_number"]),
        "access_key": receipt_access_key(stored["access_key"]),
    }
    pages = kept_pages.PagesKeptUntilContentChanges(request, "receipt", RECEIPT_VALUES)
    skeleton = pages.get()
    if skeleton is not None:
        return HttpResponse(skeleton.fill(values))
    context = {
        **values,
        "acknowledge_days": settings.CLUE_ACKNOWLEDGE_DAYS,
        "feedback_days": settings.CLUE_FEEDBACK_DAYS,
    }
    response = render(request, "reporting/receipt.html", context)
    pages.keep(response.content.decode(), values)
    return response
