"""The form staff fill in for a clue they took by phone, letter, visit or referral: what the
public report form asks, with the public form's own fields and checks, less what only a
stranger's browser needs (captcha, timing stamp, trap, poster code, the notice to agree to),
plus the channel, the day it was received and, for a letter, its scan."""

import datetime
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.evidence import checks as evidence
from reporting.intake.fields import (
    EvidenceCheckMixin,
    EvidenceField,
    MultipleFileInput,
    RegionField,
    evidence_help_text,
    id_number_is_valid,
    phone_validator,
    region_options,
)
from reporting.intake.forms import TOKEN_PATTERN, ReportForm, check_protection, check_when
from reporting.lifecycle.scope import entry_regions
from reporting.models import Clue, ProtectionRequest, Region

Channel = Clue.Channel
STAFF_CHANNELS = (Channel.HOTLINE, Channel.LETTER, Channel.VISIT, Channel.REFERRAL)
# A clue received longer ago than this is almost always a mistyped year.
RECEIVED_AT_MOST_DAYS_AGO = 366
_public = ReportForm.base_fields


def _jurisdiction_choices(roots):
    """The regions under these, each named with its parents, in tree order."""
    choices = []
    for root in roots:
        above = [region.label for region in root.get_ancestors()]
        path = []
        for region in Region.get_tree(root):
            path = [*path[: region.depth - root.depth], region.label]
            choices.append((region.code, " / ".join([*above, *path])))
    return choices


class StaffClueForm(EvidenceCheckMixin, forms.Form):
    submission_token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(TOKEN_PATTERN)],
    )
    channel = forms.ChoiceField(
        label=_("How did the clue come in?"),
        choices=[(channel.value, channel.label) for channel in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the clue came in.")},
    )
    referring_body = forms.CharField(
        label=_("Referring body"),
        max_length=200,
        required=False,
        help_text=_("For a referral only: the body that passed the clue on, in full."),
    )
    received_on = forms.DateField(
        label=_("Date received"),
        # A date input takes ISO dates only, whatever the reader's language writes.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_(
            "The day the call, letter, visit or referral came in. Its deadlines count "
            "from that day."
        ),
        error_messages={"required": _("Enter the date the clue was received.")},
    )
    category = _public["category"]
    region = RegionField(label=_("Region"), required=False)
    what_happened = _public["what_happened"]
    when = _public["when"]
    when_start = _public["when_start"]
    when_end = _public["when_end"]
    where = _public["where"]
    officials_shield = _public["officials_shield"]
    shield_details = _public["shield_details"]
    identity = forms.ChoiceField(
        label=_("Does the reporter give a name?"),
        choices=[
            (Clue.Identity.ANONYMOUS, _("No, anonymous")),
            (Clue.Identity.NAMED, _("Yes: name and phone number below")),
        ],
        initial=Clue.Identity.ANONYMOUS,
        widget=forms.RadioSelect,
        help_text=_(
            "A named reporter's details are encrypted as on the public form and seen only "
            "by staff allowed to see them."
        ),
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Reporter's phone number"),
        max_length=24,
        required=False,
        validators=[phone_validator],
    )
    reporter_id_number = forms.CharField(
        label=_("Reporter's ID card number"), max_length=18, required=False
    )
    reporter_contact_time = forms.CharField(
        label=_("When may we call the reporter?"), max_length=100, required=False
    )
    # The public form's question, asked of the caller: the request is routed and sealed as
    # one asked on the web (reporting/lifecycle/protection.py).
    protection = forms.ChoiceField(
        label=_("Does the reporter fear retaliation, or have they suffered it?"),
        choices=[("", _("No")), *ProtectionRequest.Kind.choices],
        initial="",
        required=False,
        widget=forms.RadioSelect,
    )
    protection_details = forms.CharField(
        label=_("What they fear, or what happened to them, in their words"),
        max_length=_public["protection_details"].max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scanned_letter = forms.FileField(
        label=_("Scanned letter"),
        required=False,
        allow_empty_file=True,  # evidence.process names an empty file in its error
        help_text=_("Required for a letter: a scan or photo of it (PDF or image)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    evidence = EvidenceField(
        label=_("Other evidence"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,audio/*,video/*,application/pdf,.heic,.amr,.m4a"}
        ),
    )
    # The file id of a scan kept between attempts (reporting.evidence.staging).
    letter_staged = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)

    def __init__(self, *args, user, rejected_files=(), staged_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_token", self.new_token())
        self.initial.setdefault("received_on", timezone.localdate())
        self.rejected_files = list(rejected_files)
        self.staged_files = list(staged_files)
        self.processed_files = []
        self.letter_file = None
        self.fields["evidence"].help_text = evidence_help_text()
        roots = entry_regions(user)
        region = self.fields["region"]
        if roots is None:
            region.choices = region_options()
            region.help_text = _("“I don't know” leaves the clue to the national office.")
        else:
            # Only where this person's intake office screens: a clue of another area, or
            # of unknown area, is entered by the office it belongs to.
            region.choices = [("", "---------"), *_jurisdiction_choices(roots)]
            region.required = True
            region.error_messages["required"] = _(
                "Choose the region: you may enter clues of your office's area only."
            )

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    def evidence_already_kept(self):
        count = len(self.staged_files) + (self.letter_file is not None)
        size = sum(m["original_size"] for _, m in self.staged_files)
        if self.letter_file is not None:
            size += self.letter_file.original_size
        return count, size

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("The date received cannot be in the future."))
        if day < today - datetime.timedelta(days=RECEIVED_AT_MOST_DAYS_AGO):
            raise ValidationError(
                _(
                    "This date is more than a year ago: check the year. A clue received "
                    "that long ago is entered with the date it is entered on, and the "
                    "real date said in “What happened”."
                )
            )
        return day

    def clean_region(self):
        code = self.cleaned_data["region"]
        return Region.objects.filter(code=code).first() if code else None

    def clean_reporter_id_number(self):
        value = self.cleaned_data["reporter_id_number"].strip().upper()
        if value and not id_number_is_valid(value):
            raise ValidationError(
                _("This is not a valid 18-character ID card number. Check it, or leave it empty.")
            )
        return value

    def clean_scanned_letter(self):
        upload = self.cleaned_data["scanned_letter"]
        if upload:
            try:
                self.letter_file = evidence.process(upload.name, upload.read())
            except evidence.EvidenceError as error:
                raise ValidationError(str(error)) from None
        return self.letter_file

    def clean(self):
        data = super().clean()
        check_when(self, data)
        check_protection(
            self, data.get("protection"), data.get("protection_details", ""), staff=True
        )
        channel = data.get("channel")
        if channel:
            # The rule of the model, said once (Clue.clean).
            try:
                Clue(channel=channel, referring_body=data.get("referring_body", "")).clean()
            except ValidationError as error:
                self.add_error(None, error)
        letter_kept = data.get("letter_staged") and any(
            file_id == data["letter_staged"] for file_id, _manifest in self.staged_files
        )
        if (
            channel == Channel.LETTER
            and self.letter_file is None
            and not letter_kept
            and "scanned_letter" not in self.errors
        ):
            self.add_error(
                "scanned_letter",
                _("A letter is entered with its scan: add the scanned letter (PDF or image)."),
            )
        if data.get("identity") == Clue.Identity.NAMED:
            if not data.get("reporter_name", "").strip():
                self.add_error(
                    "reporter_name", _("Enter the reporter's name, or choose anonymous.")
                )
            if not data.get("reporter_phone", "").strip() and "reporter_phone" not in self.errors:
                self.add_error("reporter_phone", _("Enter a phone number, or choose anonymous."))
        return data

    def received_at(self):
        """When the clue was received: now for today's; for an earlier day, the start of
        that day. The hour of a call taken yesterday is seldom written down, and the day's
        start keeps the reporter's deadlines no later than they truly are."""
        day = self.cleaned_data["received_on"]
        if day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def reporter_details(self):
        if self.cleaned_data["identity"] != Clue.Identity.NAMED:
            return None
        return {
            "name": self.cleaned_data["reporter_name"].strip(),
            "phone": self.cleaned_data["reporter_phone"].strip(),
            "id_number": self.cleaned_data["reporter_id_number"],
            "contact_time": self.cleaned_data["reporter_contact_time"].strip(),
        }

    def checked_files(self):
        """The files this attempt checked, the scan first."""
        letter = [self.letter_file] if self.letter_file is not None else []
        return letter + list(self.processed_files)

    def protection_request(self):
        """(kind, their words) when the reporter asks for protection, else None."""
        kind = self.cleaned_data.get("protection")
        return (kind, self.cleaned_data["protection_details"]) if kind else None
