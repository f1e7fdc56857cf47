"""The form of "Record a follow-up": what a reporter said when they rang, wrote or came in
again, and the tracking number they read out to name their clue."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.intake.forms import AddEvidenceForm
from reporting.intake.receipts import normalize_tracking_number
from reporting.lifecycle.reporter import STAFF_CHANNELS


class CallerFollowUpForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("As the caller reads it from the receipt; spaces do not matter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    access_key = forms.CharField(
        label=_("Access key (if the caller gives it)"),
        max_length=60,
        required=False,
        help_text=_(
            "Optional. If the caller reads out the access key of the receipt, you are told "
            "whether it matches; never ask for it, and never write it down elsewhere."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("How they got in touch"),
        choices=[(each.value, each.label) for each in STAFF_CHANNELS],
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("What the caller said"),
        max_length=5_000,
        help_text=_(
            "In their words as far as you can. The reporter sees this text on the status "
            "page as their own."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write down what the caller said first.")},
    )

    def clean_tracking_number(self):
        number = normalize_tracking_number(self.cleaned_data["tracking_number"])
        if number is None:
            raise forms.ValidationError(
                _("This tracking number has a typing error: check every digit.")
            )
        return number


class StaffEvidenceForm(AddEvidenceForm):
    """The status page's "add files", with the same checks and limits (the clue's files so
    far count toward them), but optional: most calls bring no file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = False
        self.fields["evidence"].label = _("Files the reporter handed over or sent (optional)")

    def evidence_already_kept(self):
        return super().evidence_already_kept() if self.clue is not None else (0, 0)
