from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from . import services, throttle
from .forms import PartyFormSet, ReportForm, StatusLookupForm
from .models import Category, Region
from .receipts import format_access_key, format_tracking_number

RECEIPT_SESSION_KEY = "reporting:receipt"


def no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def preselection(query):
    """Poster links carry ?category=&region=&entry=; unknown values are ignored."""
    initial = {}
    slug = query.get("category", "")[:60]
    if slug and Category.objects.filter(slug=slug, active=True).exists():
        initial["category"] = Category.objects.get(slug=slug).pk
    code = query.get("region", "")[:12]
    if code and Region.objects.filter(code=code).exists():
        initial["region"] = code
    entry = query.get("entry", "")[:20]
    if entry.isalnum():
        initial["entry"] = entry
    return initial


@method_decorator(never_cache, name="dispatch")
class ReportView(View):
    template_name = "reporting/report_form.html"

    def get(self, request):
        form = ReportForm(initial=preselection(request.GET))
        return self.render(form, PartyFormSet(prefix="party"))

    def post(self, request):
        parties = PartyFormSet(request.POST, prefix="party")
        if "refresh_captcha" in request.POST:
            # Without JavaScript a new captcha picture means a round trip: keep every answer,
            # show no errors yet.
            return self.render(ReportForm(initial=request.POST.dict()), parties)
        form = ReportForm(request.POST)
        if not (form.is_valid() and parties.is_valid()):
            return self.render(form, parties, status=400)
        data = form.cleaned_data
        try:
            clue, access_key = services.submit_clue(
                details={
                    field: data[field]
                    for field in (
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
                },
                parties=[p for p in parties.cleaned_data if p and p.get("name")],
                reporter=form.reporter_details(),
                submission_token=data["submission_token"],
                entry_code=data.get("entry", ""),
                language=get_language(),
            )
        except services.DuplicateSubmission:
            # The first of two identical requests already stored the clue and its receipt.
            return redirect("reporting:receipt")
        request.session[RECEIPT_SESSION_KEY] = {
            "tracking_number": clue.tracking_number,
            "access_key": access_key,
        }
        return redirect("reporting:receipt")

    def render(self, form, parties, status=200):
        hints = {c.pk: c.description_label for c in form.fields["category"].queryset}
        context = {"form": form, "parties": parties, "category_hints": hints}
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
