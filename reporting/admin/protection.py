"""The page of a reporter's request for protection: for the supervisors it is routed to and
superusers alone (anyone else: 404, as for a clue out of scope). Every opening is recorded;
staff record the measures taken and answer the reporter."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reporting.intake.receipts import format_tracking_number
from reporting.lifecycle import protection
from reporting.models import ProtectionRequest


class MeasuresForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Measures taken"),
        max_length=protection.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Describe the measures taken.")},
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Answer to the reporter"),
        max_length=protection.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The reporter reads it on the status page. Name no staff member, unit or other person."
        ),
        error_messages={"required": gettext_lazy("Write the answer first.")},
    )


def _request_for(user, pk):
    item = get_object_or_404(
        ProtectionRequest.objects.select_related("clue__unit", "clue__region"), pk=pk
    )
    if not protection.may_handle(user, item.clue):
        raise Http404
    return item


@never_cache
def request_page(request, pk, measures_form=None, answer_form=None, status=200):
    item = _request_for(request.user, pk)
    # Recorded before anything is read for the page: should the entry fail, nothing is shown.
    protection.record_view(item, request.user)
    number = format_tracking_number(item.clue.tracking_number)
    context = {
        "item": item,
        "tracking_number": number,
        "clue_url": reverse("clues:inspect", args=[item.clue_id]),
        "reporter_messages": protection.messages(item),
        "measures": protection.measures(item),
        "answer": protection.answer_text(item),
        "overdue": item.is_overdue(timezone.now()),
        "measures_form": measures_form or MeasuresForm(),
        "answer_form": answer_form or AnswerForm(),
        "page_title": _("Protection request"),
        "header_title": _("Protection request for clue %(number)s") % {"number": number},
        "header_icon": "warning",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": _("Protection request")},
        ],
    }
    return TemplateResponse(
        request, "reporting/admin/protection_request.html", context, status=status
    )


@never_cache
@require_POST
def record_measures(request, pk):
    item = _request_for(request.user, pk)
    form = MeasuresForm(request.POST)
    if not form.is_valid():
        return request_page(request, pk, measures_form=form, status=400)
    protection.add_measures(item, request.user, form.cleaned_data["text"])
    messages.success(request, _("The measures were recorded."))
    return redirect("protection_request", pk=pk)


@never_cache
@require_POST
def answer(request, pk):
    item = _request_for(request.user, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return request_page(request, pk, answer_form=form, status=400)
    try:
        protection.answer(item, request.user, form.cleaned_data["text"])
    except protection.AlreadyAnswered:
        form.add_error(None, _("This request was answered meanwhile; your text is kept below."))
        return request_page(request, pk, answer_form=form, status=409)
    messages.success(request, _("The reporter will read the answer on the status page."))
    return redirect("protection_request", pk=pk)
