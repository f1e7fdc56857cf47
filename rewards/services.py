"""The rules of a reward claim, each in one transaction on the claim's locked row, each
writing the clue's ledger. Views only call these functions."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.evidence import crypto
from reporting.intake.receipts import check_access_key
from reporting.jobs.mail import queue_mail
from reporting.lifecycle.ledger import record
from reporting.models import SIGNATURES_REQUIRED, Clue, LedgerEntry, Membership, Unit

from . import scope
from .models import Claim, RewardSignature, SharedAward

Action, Status = LedgerEntry.Action, Claim.Status


class RewardRefused(Exception):
    """What was asked cannot be done now; the message says why, for the person who asked."""


def standing_conclusion(clue):
    """The conclusion that stands for the clue now (the latest), or None."""
    if clue.status not in Clue.CONCLUDED:
        return None
    return (
        clue.conclusions.exclude(stood_at=None)
        .filter(withdrawn_at=None)
        .select_related("unit")
        .order_by("-stood_at", "-pk")
        .first()
    )


def claim_deadline(conclusion):
    return conclusion.stood_at + timedelta(days=settings.REWARD_CLAIM_WINDOW_DAYS)


def eligibility(clue, now=None):
    """(conclusion, deadline) when a reward may be claimed for this clue now, else None."""
    if clue.is_erased:
        return None
    conclusion = standing_conclusion(clue)
    if conclusion is None or conclusion.outcome not in settings.REWARD_QUALIFYING_OUTCOMES:
        return None
    deadline = claim_deadline(conclusion)
    if (now or timezone.now()) > deadline:
        return None
    return conclusion, deadline


def payment_methods():
    return [m for m in Claim.Method if m.value in settings.REWARD_PAYMENT_METHODS]


def _lock(claim):
    locked = Claim.objects.select_for_update(of=("self",)).select_related("clue", "unit")
    return locked.get(pk=claim.pk)


def claim_reward(clue, *, method, bank=None):
    """The reporter's claim. `bank`: holder, bank and account number, for a transfer only."""
    with transaction.atomic():
        clue = Clue.objects.select_for_update().get(pk=clue.pk)
        found = eligibility(clue)
        if found is None:
            raise RewardRefused(_("A reward cannot be claimed for this report."))
        if Claim.objects.filter(clue=clue).exists():
            raise RewardRefused(_("A reward has already been claimed for this report."))
        if method not in settings.REWARD_PAYMENT_METHODS:
            raise RewardRefused(_("Choose how you want to be paid."))
        conclusion, _deadline = found
        sealed = crypto.seal(bank) if method == Claim.Method.BANK_TRANSFER else None
        claim = Claim.objects.create(
            clue=clue, unit=conclusion.unit, method=method, payment_sealed=sealed
        )
        record(clue, Action.REWARD_CLAIMED, unit=claim.unit, note=method)
    return claim


def _check_band(band, amount):
    if not band.lowest <= amount <= band.highest:
        raise RewardRefused(
            _("The amount must lie within the band: %(lowest)s to %(highest)s yuan.")
            % {"lowest": band.lowest, "highest": band.highest}
        )


def shares_outside_band(band, total):
    return _(
        "The shares add up to %(total)s yuan; the total must lie within the band: "
        "%(lowest)s to %(highest)s yuan."
    ) % {"total": total, "lowest": band.lowest, "highest": band.highest}


def claim_admin_url(claim):
    return settings.PORTAL_BASE_URL + reverse("rewards_claim", args=[claim.pk])


def emails(unit, roles, *, but=None):
    """The addresses of the active people holding one of `roles` in `unit` (but `but`)."""
    users = get_user_model().objects.filter(
        is_active=True, memberships__unit=unit, memberships__role__in=roles
    )
    if but is not None:
        users = users.exclude(pk=but)
    return list(users.exclude(email="").values_list("email", flat=True).distinct())


def superusers():
    users = get_user_model().objects.filter(is_active=True, is_superuser=True)
    return list(users.exclude(email="").values_list("email", flat=True))


def case_claims(claim):
    """The other claims that may share an award with this one: on clues of the same repeat
    cluster, of the same unit (one set of signatories decides them all), not yet decided, or
    already sharing it."""
    if claim.clue.cluster_id is None:
        return Claim.objects.none()
    undecided = Q(status__in=Claim.UNDECIDED, signatures=None)
    if claim.award_id:
        undecided |= Q(award_id=claim.award_id)
    return (
        Claim.objects.filter(undecided, clue__cluster_id=claim.clue.cluster_id, unit=claim.unit)
        .exclude(pk=claim.pk)
        .select_related("clue")
        .distinct()
        .order_by("clue__created_at", "pk")
    )


def _lock_unit(claim):
    """Steps on several claims of one unit (a shared award's) take the unit's row first, so
    two of them at once take turns instead of locking each other's claims. FOR NO KEY UPDATE:
    it still lets the ledger entries, mails and deadline marks that point at the unit be
    written meanwhile (their key-share locks do not conflict with it), so a transition or the
    deadline check holding a clue or a claim never waits on this lock while this waits on
    theirs."""
    Unit.objects.select_for_update(no_key=True).filter(pk=claim.unit_id).first()


def _lock_all(pks):
    claims = Claim.objects.select_for_update(of=("self",)).select_related("clue", "unit")
    return {c.pk: c for c in claims.filter(pk__in=pks).order_by("pk")}


def _withdraw_proposal(claim, user):
    """A claim left out of a shared proposal goes back to waiting for its assessment."""
    claim.band, claim.amount, claim.reason, claim.award = None, None, "", None
    claim.assessor, claim.proposed_at, claim.status = None, None, Status.CLAIMED
    claim.save()
    record(claim.clue, Action.REWARD_PROPOSED, actor=user, unit=claim.unit, note="withdrawn")


def propose(claim, user, *, band, amount, reason, shares=None):
    """The assessment: a band, an amount and the reason. `shares` ({claim: amount}) gives the
    other reporters of the same case their shares of one award; the band then bounds the
    total, and the proposal replaces any earlier shared one of this claim."""
    shares = {other.pk: share for other, share in (shares or {}).items()}
    if not reason.strip():
        raise RewardRefused(_("Write the reason for the amount."))
    if any(share < 1 for share in [amount, *shares.values()]):
        raise RewardRefused(_("Each share is at least one yuan."))
    total = amount + sum(shares.values())
    if shares and not band.lowest <= total <= band.highest:
        raise RewardRefused(shares_outside_band(band, total))
    _check_band(band, total)
    with transaction.atomic():
        _lock_unit(claim)
        claim = _lock(claim)
        if not scope.may_assess(user, claim):
            raise RewardRefused(_("You may not assess this claim."))
        if claim.status not in (Status.CLAIMED, Status.PROPOSED):
            raise RewardRefused(_("This claim was already decided."))
        if claim.signatures.exists():
            raise RewardRefused(_("This proposal already has signatures and cannot be changed."))
        if not set(shares) <= set(case_claims(claim).values_list("pk", flat=True)):
            raise RewardRefused(
                _("Only claims on reports of the same case, still being assessed, may share.")
            )
        # The awards these claims shared until now: whoever of them is left out of this
        # proposal goes back to waiting, and an award left with no claims goes.
        earlier = set(
            Claim.objects.filter(pk__in={claim.pk, *shares})
            .exclude(award=None)
            .values_list("award_id", flat=True)
        )
        before = set(Claim.objects.filter(award__in=earlier).values_list("pk", flat=True))
        locked = _lock_all({claim.pk} | set(shares) | before)
        locked[claim.pk] = claim
        award = None
        if shares:
            award = claim.award or SharedAward.objects.create(unit=claim.unit)
        now = timezone.now()
        for pk, share in [(claim.pk, amount), *shares.items()]:
            member = locked[pk]
            member.band, member.amount, member.reason, member.award = band, share, reason, award
            member.assessor, member.proposed_at, member.status = user, now, Status.PROPOSED
            member.save()
            note = f"{share}/{total}" if award else str(share)
            record(member.clue, Action.REWARD_PROPOSED, actor=user, unit=member.unit, note=note)
        for pk in sorted(before - {claim.pk} - set(shares)):
            _withdraw_proposal(locked[pk], user)
        SharedAward.objects.filter(pk__in=earlier, claims=None).delete()
        tell_signatories(claim)
    return claim


def _group(claim):
    """The claims decided together with this one: its shared award's, or itself alone."""
    if claim.award_id is None:
        return [claim]
    return list(
        _lock_all(
            Claim.objects.filter(award_id=claim.award_id).values_list("pk", flat=True)
        ).values()
    )


def tell_signatories(claim):
    """The unit's signatories, but the assessor, who may not sign: a link, in the proposal's
    transaction, so no proposal is left untold and no mail tells of a proposal rolled back."""
    queue_mail(
        emails(claim.unit, [Membership.Role.SIGNATORY], but=claim.assessor_id),
        _("A reward proposal waits for your signature"),
        _("A reward proposal of your unit waits for your signature:\n%(url)s")
        % {"url": claim_admin_url(claim)},
    )


def _same_person(a, b):
    """Two accounts of one person (the same email address) count as that person."""
    if a.pk == b.pk:
        return True
    return bool(a.email) and a.email.strip().lower() == (b.email or "").strip().lower()


def sign(claim, user):
    """A signatory's signature; for a shared award, on every claim of it at once, so the
    reporters of one case are decided together."""
    with transaction.atomic():
        _lock_unit(claim)
        claim = _lock(claim)
        if claim.status != Status.PROPOSED:
            raise RewardRefused(_("There is no proposal to sign."))
        if not scope.may_sign(user, claim):
            raise RewardRefused(_("Only the signatories of the unit sign a reward decision."))
        if _same_person(user, claim.assessor):
            raise RewardRefused(_("The assessor may not sign their own proposal."))
        signers = [s.signer for s in claim.signatures.select_related("signer")]
        if any(_same_person(user, signer) for signer in signers):
            raise RewardRefused(_("You have already signed this decision."))
        group = _group(claim)
        if any(member.status != Status.PROPOSED for member in group):
            raise RewardRefused(_("There is no proposal to sign."))
        try:
            with transaction.atomic():
                for member in group:
                    RewardSignature.objects.create(claim=member, signer=user)
        except IntegrityError:
            raise RewardRefused(_("You have already signed this decision.")) from None
        count = len(signers) + 1
        note = f"{count}/{SIGNATURES_REQUIRED}"
        decided_at = timezone.now()
        for member in group:
            record(member.clue, Action.REWARD_SIGNED, actor=user, unit=member.unit, note=note)
            if count >= SIGNATURES_REQUIRED:
                member.status, member.decided_at = Status.DECIDED, decided_at
                member.save(update_fields=["status", "decided_at"])
                record(
                    member.clue,
                    Action.REWARD_DECIDED,
                    actor=user,
                    unit=member.unit,
                    note=str(member.amount),
                )
    claim.refresh_from_db()
    return claim


def accept(claim):
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status != Status.DECIDED:
            raise RewardRefused(_("There is no decision to accept."))
        claim.status, claim.accepted_at = Status.ACCEPTED, timezone.now()
        claim.save(update_fields=["status", "accepted_at"])
        record(claim.clue, Action.REWARD_ACCEPTED, unit=claim.unit)
    return claim


def request_review(claim, *, reason):
    if not reason.strip():
        raise RewardRefused(_("Say why you ask for a review."))
    with transaction.atomic():
        claim = _lock(claim)
        if claim.status != Status.DECIDED:
            # Accepted, already under review or reviewed: a review is asked once, before
            # acceptance.
            raise RewardRefused(_("A review can no longer be asked for this reward."))
        claim.status, claim.review_request = Status.REVIEW_REQUESTED, reason
        claim.review_requested_at = timezone.now()
        claim.save(update_fields=["status", "review_request", "review_requested_at"])
        above = claim.unit.get_parent()
        record(claim.clue, Action.REWARD_REVIEW_REQUESTED, unit=above or claim.unit)
        queue_mail(
            emails(above, [Membership.Role.SUPERVISOR]) if above else superusers(),
            _("A reporter asks for a review of a reward"),
            _("A reporter asks for a review of the reward decided for their report:\n%(url)s")
            % {"url": claim_admin_url(claim)},
        )
    return claim


def review(claim, user, *, amount, note):
    if not note.strip():
        raise RewardRefused(_("Write the reason for the review's outcome."))
    with transaction.atomic():
        # The whole award locked: two reviews of shares of one award at once take turns, so
        # the second reads the first's share and the total stays within the band.
        _lock_unit(claim)
        claim = _lock(claim)
        if not scope.may_review(user, claim):
            raise RewardRefused(_("Only a supervisor above the unit reviews its rewards."))
        if claim.status != Status.REVIEW_REQUESTED:
            raise RewardRefused(_("No review was asked for this reward."))
        others = sum(m.amount or 0 for m in _group(claim) if m.pk != claim.pk)
        if not others:
            _check_band(claim.band, amount)
        elif not claim.band.lowest <= amount + others <= claim.band.highest:
            raise RewardRefused(
                _(
                    "With the other reporters' shares (%(others)s yuan), this share must lie "
                    "between %(lowest)s and %(highest)s yuan."
                )
                % {
                    "others": others,
                    "lowest": max(1, claim.band.lowest - others),
                    "highest": claim.band.highest - others,
                }
            )
        claim.amount, claim.review_note, claim.reviewer = amount, note, user
        claim.status, claim.reviewed_at = Status.REVIEWED, timezone.now()
        claim.save()
        record(claim.clue, Action.REWARD_REVIEWED, actor=user, unit=claim.unit, note=str(amount))
    return claim


def record_payment(claim, user, *, paid_on, how, access_key=""):
    """The payment, and the bank details erased with it. Collected in person, the reporter's
    access key is checked against the clue's receipt, and forgotten."""
    with transaction.atomic():
        claim = _lock(claim)
        if not scope.may_assess(user, claim):
            raise RewardRefused(_("You may not record the payment of this claim."))
        if claim.status not in Claim.PAYABLE:
            raise RewardRefused(_("This reward cannot be paid yet."))
        if how == Claim.Method.IN_PERSON and not check_access_key(
            access_key, claim.clue.access_key_hash
        ):
            raise RewardRefused(
                _("The access key does not match the report's receipt. Do not pay.")
            )
        claim.status, claim.paid_on, claim.paid_how, claim.paid_by = (
            Status.PAID,
            paid_on,
            how,
            user,
        )
        erased = claim.payment_sealed is not None
        claim.payment_sealed = None
        claim.payment_details_erased_at = timezone.now() if erased else None
        claim.save()
        record(claim.clue, Action.REWARD_PAID, actor=user, unit=claim.unit, note=how)
        if erased:
            record(claim.clue, Action.PAYMENT_DETAILS_ERASED, actor=user, unit=claim.unit)
    return claim


def payment_details(claim):
    """The bank details, for the staff who pay; None when there are none (any longer)."""
    return crypto.open_sealed(claim.payment_sealed) if claim.payment_sealed else None


def erase_expired_payment_details(now=None):
    """Bank details of claims never paid, once the clue's own content was erased at the end of
    its retention period (reporting's periodic erasure): they go with it."""
    now = now or timezone.now()
    erased = 0
    pending = Claim.objects.exclude(payment_sealed=None).exclude(clue__content_erased_at=None)
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            claim = Claim.objects.select_for_update().select_related("clue").get(pk=pk)
            if claim.payment_sealed is None:
                continue
            claim.payment_sealed, claim.payment_details_erased_at = None, now
            claim.save(update_fields=["payment_sealed", "payment_details_erased_at"])
            record(
                claim.clue,
                Action.PAYMENT_DETAILS_ERASED,
                unit=claim.unit,
                note="retention",
                at=now,
            )
            erased += 1
    return erased
