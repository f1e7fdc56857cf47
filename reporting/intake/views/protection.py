"""The status page's part on protection: what the reporter asked and the answers they were
given, and the form to ask (or to add to a request still open)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reporting.intake.forms import ProtectionForm
from reporting.intake.views.follow_up import erased_refusal, follow_up_page, unlocked_clue
from reporting.lifecycle import protection
from reporting.models import ProtectionRequest

SECTION = "protection"


def section(request, clue, form=None):
    """reporting.intake.status_sections: shown on every report but an erased one."""
    if clue.is_erased:
        return ""
    asked = protection.reporter_view(clue)
    context = {
        "requests": asked,
        "open": any(item["is_open"] for item in asked),
        "form": form or ProtectionForm(),
    }
    return render_to_string("reporting/status_protection.html", context, request=request)


@never_cache
@require_POST
def ask(request):
    clue = unlocked_clue(request)
    if clue is None:
        # Not unlocked (or no longer): nothing is read or kept of what was sent.
        return redirect("reporting:status")
    form = ProtectionForm(request.POST)
    if clue.is_erased:
        form.is_valid()
        form.add_error(None, erased_refusal())
        return follow_up_page(request, clue, section_forms={SECTION: form}, status=409)
    if not form.is_valid():
        return follow_up_page(request, clue, section_forms={SECTION: form}, status=400)
    try:
        _item, added = protection.ask(
            clue,
            form.cleaned_data["kind"],
            form.cleaned_data["details"],
            ProtectionRequest.Source.STATUS_PAGE,
        )
    except protection.ClueErased:
        form.add_error(None, erased_refusal())
        return follow_up_page(request, clue, section_forms={SECTION: form}, status=409)
    if added:
        messages.success(request, _("What you wrote was added to your request for protection."))
    else:
        messages.success(request, _("Your request for protection was sent."))
    return redirect("reporting:status")
