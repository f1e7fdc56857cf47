from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import services, staging, throttle
from .forms import PartyFormSet, ReportForm, StatusLookupForm
from .models import Category, Region
from .receipts import format_access_key, format_tracking_number
from .uploads import EvidenceUploadHandler

RECEIPT_SESSION_KEY = "reporting:receipt"
CLUE_FIELDS = (
    "category",
    "region",
    "what_happened",
    "when",
    "when_start",
    "when_end",
    "where",
    "officials_shield",
    "shield_details",
)


def no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def preselection(query):
    """Poster links carry ?category=&region=&entry=; unknown values are ignored."""
    initial = {}
    slug = query.get("category", "")[:60]
    category = Category.objects.filter(slug=slug, active=True).first() if slug else None
    if category:
        initial["category"] = category.pk
    code = query.get("region", "")[:12]
    if code and Region.objects.filter(code=code).exists():
        initial["region"] = code
    entry = query.get("entry", "")[:20]
    if entry.isalnum():
        initial["entry"] = entry
    return initial


@method_decorator(never_cache, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class ReportView(View):
    """The report form. CSRF is checked after the upload handler is swapped in (Django reads
    the body when the middleware checks the token, and the body holds the evidence)."""

    template_name = "reporting/report_form.html"

    def get(self, request):
        return self.render(ReportForm(initial=preselection(request.GET)), self.parties())

    def post(self, request):
        request.upload_handlers = [EvidenceUploadHandler(request)]
        return csrf_protect(self.handle)(request)

    def parties(self, data=None):
        return PartyFormSet(data, prefix="party")

    def handle(self, request):
        token = request.POST.get("submission_token", "")
        for file_id in request.POST.getlist("remove_staged"):
            if file_id.isalnum():
                staging.remove(token, file_id)
        staged = staging.staged(token) if ReportForm.token_is_valid(token) else []
        form = ReportForm(
            request.POST,
            request.FILES,
            rejected_files=request.evidence_rejected,
            staged_files=staged,
        )
        parties = self.parties(request.POST)
        refresh = "refresh_captcha" in request.POST
        valid = form.is_valid()  # always: it checks and strips the files to keep
        valid = parties.is_valid() and valid
        if refresh or not valid:
            self.stage(form, token)
            if refresh:
                # Without JavaScript a new captcha picture means a round trip: keep every
                # answer and show no errors yet.
                form = ReportForm(initial=request.POST.dict(), staged_files=staging.staged(token))
                return self.render(form, parties)
            return self.render(self.with_staged(form, token), parties, status=400)
        files = [staging.load(token, file_id, manifest) for file_id, manifest in staged]
        try:
            clue, access_key = services.submit_clue(
                details={field: form.cleaned_data[field] for field in CLUE_FIELDS},
                parties=[p for p in parties.cleaned_data if p and p.get("name")],
                reporter=form.reporter_details(),
                submission_token=token,
                entry_code=form.cleaned_data.get("entry", ""),
                language=get_language(),
                files=files + form.processed_files,
            )
        except services.DuplicateSubmission:
            # The first of two identical requests already stored the clue and its receipt.
            return redirect("reporting:receipt")
        except services.EvidenceStorageError:
            form.add_error(
                None,
                _(
                    "We could not store your files just now, so nothing was sent. Everything "
                    "you wrote is kept below; please choose your files again and resend."
                ),
            )
            return self.render(form, parties, status=503)
        request.session[RECEIPT_SESSION_KEY] = {
            "tracking_number": clue.tracking_number,
            "access_key": access_key,
        }
        return redirect("reporting:receipt")

    def stage(self, form, token):
        if not ReportForm.token_is_valid(token):
            return
        try:
            for processed in form.processed_files:
                staging.stage(token, processed)
        except OSError:
            form.add_error(
                "evidence", _("Your files could not be kept; please choose them again.")
            )

    def with_staged(self, form, token):
        form.staged_files = staging.staged(token)
        return form

    def render(self, form, parties, status=200):
        hints = {c.pk: c.description_label for c in form.fields["category"].queryset}
        context = {
            "form": form,
            "parties": parties,
            "category_hints": hints,
            "staged_files": form.staged_files,
        }
        return no_referrer(render(self.request, self.template_name, context, status=status))


@never_cache
def receipt(request):
    """Shows the receipt once: the access key leaves the session as it is displayed."""
    stored = request.session.pop(RECEIPT_SESSION_KEY, None)
    if stored is None:
        messages.info(
            request,
            _("A receipt is shown only once. Use your tracking number and access key here."),
        )
        return redirect("reporting:status")
    context = {
        "tracking_number": format_tracking_number(stored["tracking_number"]),
        "access_key": format_access_key(stored["access_key"]),
        "acknowledge_days": settings.CLUE_ACKNOWLEDGE_DAYS,
        "feedback_days": settings.CLUE_FEEDBACK_DAYS,
    }
    return no_referrer(render(request, "reporting/receipt.html", context))


@never_cache
def status(request):
    clue = None
    form = StatusLookupForm(request.POST or None)
    http_status = 200
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["tracking_number"]
        if throttle.is_locked(request, number):
            form.add_error(None, _("Too many attempts. Please wait 15 minutes and try again."))
            http_status = 429
        else:
            clue = services.find_clue_for_reporter(number, form.cleaned_data["access_key"])
            if clue is None:
                throttle.record_failure(request, number)
                form.add_error(
                    None, _("The tracking number and access key do not match a report.")
                )
                http_status = 400
    elif request.method == "POST":
        http_status = 400
    context = {"form": form, "clue": clue}
    if clue:
        context["tracking_number"] = format_tracking_number(clue.tracking_number)
    return no_referrer(render(request, "reporting/status.html", context, status=http_status))
