import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.intake.receipts import format_tracking_number

from .models import MAX_AMOUNT, Claim, RewardBand
from .services import payment_methods, shares_outside_band

# A mainland bank card or account number: digits, typed with spaces or hyphens as printed.
ACCOUNT_NUMBER = re.compile(r"^\d{12,30}$")


class ClaimForm(forms.Form):
    """The reporter's claim: how to be paid, and bank details only for a transfer. Nothing
    else is asked, of a named reporter or an anonymous one."""

    kind = "claim"

    method = forms.ChoiceField(
        label=_("How do you want to be paid?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you want to be paid.")},
    )
    account_holder = forms.CharField(label=_("Account holder"), max_length=100, required=False)
    bank = forms.CharField(label=_("Bank and branch"), max_length=200, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.value, m.label) for m in payment_methods()]

    def clean_account_number(self):
        number = re.sub(r"[\s-]", "", self.cleaned_data["account_number"])
        if number and not ACCOUNT_NUMBER.match(number):
            raise forms.ValidationError(
                _("An account number has 12 to 30 digits; check the number you typed.")
            )
        return number

    def clean(self):
        data = super().clean()
        if data.get("method") == Claim.Method.BANK_TRANSFER:
            for name in ("account_holder", "bank", "account_number"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("Needed for a bank transfer."))
        return data

    def bank_details(self):
        if self.cleaned_data["method"] != Claim.Method.BANK_TRANSFER:
            return None
        return {
            "holder": self.cleaned_data["account_holder"].strip(),
            "bank": self.cleaned_data["bank"].strip(),
            "number": self.cleaned_data["account_number"],
        }


class AcceptForm(forms.Form):
    """Nothing to fill in: it carries a refusal back to the page."""


class ReviewRequestForm(forms.Form):
    kind = "review_request"

    reason = forms.CharField(
        label=_("Why do you ask for a review?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why you ask for a review.")},
    )


def amount_field(label):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_AMOUNT,
        help_text=_("Whole yuan."),
    )


class ProposeForm(forms.Form):
    """The assessment. `others`: the claims of the same case that may share the award, each
    with a share field; left empty, that claim does not share it."""

    band = forms.ModelChoiceField(label=_("Band"), queryset=RewardBand.objects.all())
    amount = amount_field(_("Proposed amount (yuan)"))
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea)

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {f"share_{other.pk}": other for other in others}
        for name, other in self.others.items():
            field = amount_field(
                _("Share of report %(number)s (yuan)")
                % {"number": format_tracking_number(other.clue.tracking_number)}
            )
            field.required = False
            field.help_text = _("Whole yuan; leave empty if this reporter does not share.")
            self.fields[name] = field
        if self.others:
            self.fields["amount"].label = _("This reporter's share (yuan)")
            self.fields["reason"].help_text = _(
                "Every reporter who shares the award reads this reason: name no one."
            )

    def shares(self):
        return {
            other: self.cleaned_data[name]
            for name, other in self.others.items()
            if self.cleaned_data.get(name) is not None
        }

    def clean(self):
        data = super().clean()
        data["shares"] = {}
        if any(key.startswith("share_") and key not in self.others for key in self.data):
            # Offered when the page was opened, no longer now (proposed alone meanwhile, or
            # of another case): say so rather than record the proposal without that share.
            raise forms.ValidationError(
                _(
                    "A claim you gave a share to can no longer share this award. Reload the "
                    "page and check the shares."
                )
            )
        band, amount = data.get("band"), data.get("amount")
        if not band or amount is None or any(name in self.errors for name in self.others):
            return data
        shares = data["shares"] = self.shares()
        total = amount + sum(shares.values())
        if shares and not band.lowest <= total <= band.highest:
            self.add_error("amount", shares_outside_band(band, total))
        elif not band.lowest <= total <= band.highest:
            self.add_error(
                "amount",
                _("The amount must lie within the band: %(lowest)s to %(highest)s yuan.")
                % {"lowest": band.lowest, "highest": band.highest},
            )
        return data


class ReviewForm(forms.Form):
    amount = amount_field(_("Amount after review (yuan)"))
    note = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    how = forms.ChoiceField(label=_("Paid how"), choices=Claim.Method.choices)
    # The checklist for a reward collected in person (docs/rewards.md).
    tracking_number_checked = forms.BooleanField(
        label=_("I checked the tracking number on the receipt."), required=False
    )
    access_key = forms.CharField(
        label=_("Access key on the receipt"),
        max_length=100,
        required=False,
        help_text=_("Checked against the report's receipt, never stored."),
    )
    amount_checked = forms.BooleanField(label=_("I paid the decided amount."), required=False)
    receipt_signed = forms.BooleanField(
        label=_("The recipient signed the payment receipt."), required=False
    )

    CHECKLIST = ("tracking_number_checked", "access_key", "amount_checked", "receipt_signed")

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be recorded for a future date."))
        return paid_on

    def clean(self):
        data = super().clean()
        if data.get("how") == Claim.Method.IN_PERSON:
            for name in self.CHECKLIST:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Complete the checklist before paying in person."))
        return data
