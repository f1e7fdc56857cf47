"""The claims in the admin: reward officers of the concluding unit assess and pay, its
signatories sign, supervisors above review. A claim outside a person's scope is 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reporting.intake.receipts import format_tracking_number
from reporting.lifecycle import ledger
from reporting.models import SIGNATURES_REQUIRED

from . import scope, services
from .forms import PaymentForm, ProposeForm, ReviewForm
from .models import Claim

Status = Claim.Status
PER_PAGE = 50


def _context(title, **context):
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "pick",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("rewards_claims"), "label": _("Reward claims")},
            {"url": "", "label": title},
        ],
        **context,
    }


@never_cache
def index(request):
    if not scope.sees_claims(request.user):
        raise Http404
    claims = scope.visible_claims(request.user).select_related("clue", "unit", "band")
    status = request.GET.get("status", "")
    if status in Status.values:
        claims = claims.filter(status=status)
    elif status:
        messages.error(request, _("There is no such status; all claims are shown."))
        status = ""
    page = Paginator(claims, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for claim in page:
        claim.overdue = claim.is_overdue(now)
    context = _context(
        _("Reward claims"),
        claims=page,
        page=page,
        status=status,
        statuses=Status.choices,
    )
    context["breadcrumbs_items"].pop()
    return TemplateResponse(request, "rewards/admin/claims.html", context)


def _claim(request, pk):
    claims = scope.visible_claims(request.user).select_related(
        "clue", "unit", "band", "assessor", "reviewer", "paid_by"
    )
    return get_object_or_404(claims, pk=pk)


def _page(request, claim, forms=None, status=200):
    forms_given = forms or {}
    user = request.user
    payable = claim.status in Claim.PAYABLE and scope.may_assess(user, claim)
    # The bank details only to those who pay, only while payment is due.
    bank = services.payment_details(claim) if payable else None
    if bank:
        # Who saw where the money goes, in the clue's ledger as a named reporter's identity.
        ledger.record_view(claim.clue, user, "reward_payment")
    context = _context(
        _("Claim for report %(number)s")
        % {"number": format_tracking_number(claim.clue.tracking_number)},
        claim=claim,
        tracking_number=format_tracking_number(claim.clue.tracking_number),
        conclusion=services.standing_conclusion(claim.clue),
        signatures=list(claim.signatures.select_related("signer")),
        required=SIGNATURES_REQUIRED,
        assess_by=claim.assess_by,
        overdue=claim.is_overdue(),
        Status=Status,
        Method=Claim.Method,
        propose_form=(forms_given.get("propose") or _propose_form(claim))
        if claim.status in (Status.CLAIMED, Status.PROPOSED)
        and not claim.signatures.exists()
        and scope.may_assess(user, claim)
        else None,
        sharing=_sharing(claim),
        can_sign=claim.status == Status.PROPOSED and scope.may_sign(user, claim),
        review_form=(forms_given.get("review") or ReviewForm(initial={"amount": claim.amount}))
        if claim.status == Status.REVIEW_REQUESTED and scope.may_review(user, claim)
        else None,
        pay_form=(forms_given.get("pay") or PaymentForm(initial={"how": claim.method}))
        if payable
        else None,
        bank=bank,
    )
    return TemplateResponse(request, "rewards/admin/claim.html", context, status=status)


def _propose_form(claim, data=None):
    others = list(services.case_claims(claim))
    if data is not None:
        return ProposeForm(data, others=others)
    initial = {"band": claim.band_id, "amount": claim.amount, "reason": claim.reason}
    for other in others:
        if claim.award_id and other.award_id == claim.award_id:
            initial[f"share_{other.pk}"] = other.amount
    return ProposeForm(initial=initial, others=others)


def _sharing(claim):
    """The other claims of this claim's shared award, and the award's total."""
    if claim.award_id is None:
        return None
    others = list(
        Claim.objects.filter(award_id=claim.award_id)
        .exclude(pk=claim.pk)
        .select_related("clue")
        .order_by("clue__created_at", "pk")
    )
    for other in others:
        other.number = format_tracking_number(other.clue.tracking_number)
    return {"others": others, "total": (claim.amount or 0) + sum(o.amount or 0 for o in others)}


@never_cache
def claim(request, pk):
    return _page(request, _claim(request, pk))


def _done(request, claim, text):
    messages.success(request, text)
    return redirect("rewards_claim", claim.pk)


def _with_form(request, pk, name, make_form, perform, done):
    """A staff step taken with its form (`make_form(claim, data)`): the form's errors, or
    the rule's refusal, shown on the claim's page with everything typed kept; else
    `perform(claim, cleaned_data)` and back to the page with `done`."""
    found = _claim(request, pk)
    form = make_form(found, request.POST)
    if form.is_valid():
        try:
            perform(found, form.cleaned_data)
        except services.RewardRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, found, done)
    return _page(request, found, {name: form}, status=400)


@never_cache
@require_POST
def propose(request, pk):
    return _with_form(
        request, pk, "propose", lambda claim, data: _propose_form(claim, data),
        lambda claim, data: services.propose(
            claim, request.user, band=data["band"], amount=data["amount"],
            reason=data["reason"], shares=data["shares"],
        ),
        _("The proposal was recorded; it now needs three signatures."),
    )  # fmt: skip


@never_cache
@require_POST
def sign(request, pk):
    found = _claim(request, pk)
    try:
        services.sign(found, request.user)
    except services.RewardRefused as refusal:
        messages.error(request, str(refusal))
        return _page(request, found, status=400)
    return _done(request, found, _("Your signature was recorded."))


@never_cache
@require_POST
def review(request, pk):
    return _with_form(
        request, pk, "review", lambda claim, data: ReviewForm(data),
        lambda claim, data: services.review(
            claim, request.user, amount=data["amount"], note=data["note"]
        ),
        _("The outcome of the review was recorded."),
    )  # fmt: skip


@never_cache
@require_POST
def pay(request, pk):
    return _with_form(
        request, pk, "pay", lambda claim, data: PaymentForm(data),
        lambda claim, data: services.record_payment(
            claim, request.user, paid_on=data["paid_on"], how=data["how"],
            access_key=data["access_key"],
        ),
        _("The payment was recorded."),
    )  # fmt: skip
