"""The reporter's side of a reward: claim, accept, ask for a review. Each finds the clue the
browser unlocked with the receipt (reporting's status page); nothing else identifies them."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reporting.intake.views import follow_up

from . import services
from .forms import AcceptForm, ClaimForm, ReviewRequestForm
from .models import Claim


def status_section(request, clue, form):
    """The reward part of the status page (reporting.intake.status_sections)."""
    claim = Claim.objects.select_related("band").filter(clue=clue).first()
    found = None if claim else services.eligibility(clue)
    if claim is None and found is None and form is None:
        return ""
    context = {
        "claim": claim,
        # Of the others, only how many: not the total, which with two reporters would give
        # away the other's share, and later whether they asked for a review.
        "shared_by": Claim.objects.filter(award_id=claim.award_id).count()
        if claim is not None and claim.award_id
        else 0,
        "deadline": found[1] if found else None,
        "claim_form": form if isinstance(form, ClaimForm) else ClaimForm(),
        "review_form": form if isinstance(form, ReviewRequestForm) else ReviewRequestForm(),
        "Status": Claim.Status,
        "errors": form.non_field_errors() if form is not None else [],
    }
    return render_to_string("rewards/status_section.html", context, request=request)


def _refused(request, clue, form, error):
    form.is_valid()
    form.add_error(None, error)
    return follow_up.follow_up_page(request, clue, section_forms={"rewards": form}, status=400)


@never_cache
@require_POST
def claim(request):
    clue = follow_up.unlocked_clue(request)
    if clue is None:
        return redirect("reporting:status")
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return follow_up.follow_up_page(request, clue, section_forms={"rewards": form}, status=400)
    try:
        services.claim_reward(clue, method=form.cleaned_data["method"], bank=form.bank_details())
    except services.RewardRefused as refusal:
        return _refused(request, clue, form, str(refusal))
    messages.success(request, _("Your reward claim was received."))
    return redirect("reporting:status")


def _claim_of(clue):
    return Claim.objects.filter(clue=clue).first()


@never_cache
@require_POST
def accept(request):
    clue = follow_up.unlocked_clue(request)
    if clue is None:
        return redirect("reporting:status")
    found = _claim_of(clue)
    try:
        if found is None:
            raise services.RewardRefused(_("There is no decision to accept."))
        services.accept(found)
    except services.RewardRefused as refusal:
        return _refused(request, clue, AcceptForm(request.POST), str(refusal))
    messages.success(request, _("You accepted the reward."))
    return redirect("reporting:status")


@never_cache
@require_POST
def request_review(request):
    clue = follow_up.unlocked_clue(request)
    if clue is None:
        return redirect("reporting:status")
    form = ReviewRequestForm(request.POST)
    if not form.is_valid():
        return follow_up.follow_up_page(request, clue, section_forms={"rewards": form}, status=400)
    found = _claim_of(clue)
    try:
        if found is None:
            raise services.RewardRefused(_("A review can no longer be asked for this reward."))
        services.request_review(found, reason=form.cleaned_data["reason"])
    except services.RewardRefused as refusal:
        return _refused(request, clue, form, str(refusal))
    messages.success(request, _("Your request for a review was sent."))
    return redirect("reporting:status")
