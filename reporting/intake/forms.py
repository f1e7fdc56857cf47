"""The public forms: the report with the people it names, the status lookup, and the
reporter's answer and added files on the status page."""

import math
import re
import secrets

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore

from portal.formrenderer import FieldMarkupKeptUntilContentChanges
from portal.forms import ShallowFieldCopies
from reporting.intake import subjects
from reporting.intake.antispam import OneQueryCaptchaField, issue_stamp, stamp_age, stamp_is_fresh
from reporting.intake.fields import (
    CategoryChoiceField,
    EntryCodeField,
    EvidenceCheckMixin,
    EvidenceField,
    MultipleFileInput,
    RegionField,
    category_options,
    evidence_help_text,
    id_number_is_valid,
    phone_validator,
    region_options,
)
from reporting.intake.receipts import normalize_tracking_number
from reporting.models import Category, Clue, Party, ProtectionRequest, Region

MAX_PARTIES = 10
TOKEN_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{20,64}\Z")


def check_when(form, data):
    """When it happened: dates not in the future, and given when the answer calls for them
    (the report form's rule, and the staff entry form's, reporting/admin/intake_forms.py)."""
    today = timezone.localdate()
    when, start, end = data.get("when"), data.get("when_start"), data.get("when_end")
    if start and start > today:
        form.add_error("when_start", _("This date is in the future."))
    if end and end > today:
        form.add_error("when_end", _("This date is in the future."))
    if when == Clue.When.DATE and not start:
        form.add_error("when_start", _("Enter the date, or choose “I don't know”."))
    if when == Clue.When.PERIOD:
        if not start:
            form.add_error("when_start", _("Enter the first day, or choose “I don't know”."))
        if not end:
            form.add_error("when_end", _("Enter the last day, or choose “I don't know”."))
        if start and end and end < start:
            form.add_error("when_end", _("The last day is before the first day."))


PROTECTION_MAX_LENGTH = 5000


def check_protection(form, kind, details, *, staff=False):
    """Protection asked with what happened, or neither (the report form's part is optional).
    `staff`: the staff intake form, which asks it of a caller, and says so."""
    if "protection_details" in form.errors:
        return
    if kind and not details:
        form.add_error(
            "protection_details",
            _("Write what the reporter fears or what happened to them.")
            if staff
            else _("Tell us what you fear or what happened to you."),
        )
    elif details and not kind:
        form.add_error(
            "protection",
            _("Choose whether the reporter fears retaliation or has suffered it.")
            if staff
            else _("Choose whether you fear retaliation or have suffered it."),
        )


class ReportForm(
    FieldMarkupKeptUntilContentChanges, ShallowFieldCopies, EvidenceCheckMixin, forms.Form
):
    per_request_fields = frozenset({"captcha"})

    category = CategoryChoiceField(
        label=_("What kind of wrongdoing is it?"),
        queryset=Category.objects.filter(active=True),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of wrongdoing, or “Other”.")},
    )
    region = RegionField(
        label=_("Where is it, by province, city or county?"),
        required=False,
        help_text=_("Choose the smallest area you know. “I don't know” is fine."),
    )
    what_happened = forms.CharField(
        label=_("What happened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who did what, to whom, how often. Write what you saw or know first-hand."),
        error_messages={"required": _("Tell us what happened.")},
    )
    when = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=Clue.When.choices,
        initial=Clue.When.UNKNOWN,
        widget=forms.RadioSelect,
    )
    when_start = forms.DateField(
        label=_("Date, or first day of the period"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    when_end = forms.DateField(
        label=_("Last day of the period"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    where = forms.CharField(
        label=_("Where exactly?"),
        max_length=300,
        required=False,
        help_text=_("A street, market, building site or village, if you know it."),
    )
    officials_shield = forms.ChoiceField(
        label=_("Do officials shield them?"),
        choices=Clue.Shield.choices,
        initial=Clue.Shield.UNKNOWN,
        widget=forms.RadioSelect,
    )
    shield_details = forms.CharField(
        label=_("How do they shield them?"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    identity = forms.ChoiceField(
        label=_("Do you want to give your name?"),
        choices=[
            (Clue.Identity.ANONYMOUS, _("No, report anonymously")),
            (Clue.Identity.NAMED, _("Yes, I give my name and phone number")),
        ],
        initial=Clue.Identity.ANONYMOUS,
        widget=forms.RadioSelect,
        help_text=_(
            "Named reports can be contacted for details and are eligible for rewards. "
            "Your details are encrypted and seen only by staff allowed to see them."
        ),
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=24,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    reporter_id_number = forms.CharField(
        label=_("Your ID card number"),
        max_length=18,
        required=False,
    )
    reporter_contact_time = forms.CharField(
        label=_("When may we call you?"), max_length=100, required=False
    )
    protection = forms.ChoiceField(
        label=_("Do you fear retaliation, or have you suffered it?"),
        choices=[("", _("No")), *ProtectionRequest.Kind.choices],
        initial="",
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "If so, supervisors read it and answer you on the status page within a few days."
        ),
    )
    protection_details = forms.CharField(
        label=_("What do you fear, or what happened to you?"),
        max_length=PROTECTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = EvidenceField(
        label=_("Photos, recordings, videos or documents"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,audio/*,video/*,application/pdf,.heic,.amr,.m4a"}
        ),
    )
    agree = forms.BooleanField(
        label=_("I have read the notice above and report truthfully."),
        error_messages={"required": _("Please confirm that you have read the notice.")},
    )
    captcha = OneQueryCaptchaField(
        label=_("Type the characters in the picture"),
        error_messages={"invalid": _("The characters do not match. Try the new picture.")},
    )
    submission_token = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(TOKEN_PATTERN)],
    )
    entry = EntryCodeField()
    issued = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # What a link named the report to be about (reporting.intake.subjects), checked again
    # when sent: a value that no longer names one is dropped, never trusted.
    subject = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    # A trap for scripts, which fill every box: hidden from people by CSS and from assistive
    # technology (templates/reporting/report_form.html), shown only when something is in it.
    # The name and autocomplete="off" keep browsers and password managers away from it.
    homepage = forms.CharField(
        label=_("Leave this box empty: it is a check against automated spam."),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, rejected_files=(), staged_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_options()
        self.fields["category"].choices = [(c.pk, c.label) for c in category_options()]
        self.rejected_files = list(rejected_files)
        self.staged_files = list(staged_files)
        self.fields["evidence"].help_text = evidence_help_text()
        self.processed_files = []
        self.about, self.about_note = subjects.from_key(
            self.data.get("subject") if self.is_bound else self.initial.get("subject")
        )
        if self.about is not None:
            self.about_subject(self.about)
        elif self.about_note:
            # Said once, on the page where it was found out; the value is not carried on.
            if self.is_bound:
                self.data = self.data.copy()
                self.data["subject"] = ""
            else:
                self.initial["subject"] = ""
        # Why a complete form was not sent: "too_fast", "stale" or "rate" (the view's limit).
        self.refusal = None
        self.trap_shown = False
        if self.is_bound:
            # Decided on what was sent, before any check: an error of any kind on the trap
            # (too long, say) must be visible too.
            self.show_trap_if_filled(self.data.get("homepage"))
        else:
            token = self.initial.setdefault("submission_token", self.new_token())
            # A round trip (new captcha picture, another person) keeps the form's stamp, so
            # the time counts from the first opening; a missing or stale one is renewed.
            if not stamp_is_fresh(self.initial.get("issued"), token):
                self.initial["issued"] = issue_stamp(token)
            self.show_trap_if_filled(self.initial.get("homepage"))

    def about_subject(self, subject):
        for name, texts in subject.fields.items():
            if name in self.fields:
                for attribute, text in texts.items():
                    setattr(self.fields[name], attribute, text)
        if not self.is_bound and subject.category:
            category = (
                Category.objects.filter(slug=subject.category, active=True)
                .values_list("pk", flat=True)
                .first()
            )
            if category is not None:
                self.initial["category"] = category
        # Labels of this subject's: no field's markup may come from, or go to, the markup
        # kept for the plain form (FieldMarkupKeptUntilContentChanges).
        self.per_request_fields = frozenset(self.fields)

    def clean_subject(self):
        return self.about.key if self.about is not None else ""

    def show_trap_if_filled(self, value):
        """A filled trap is shown with its error, so that a person whose browser filled it in
        can see it and empty it; a hidden box they cannot reach would block them for good."""
        if value and value.strip():
            self.trap_shown = True
            self.fields["homepage"].widget.attrs.pop("tabindex", None)

    def evidence_already_kept(self):
        return len(self.staged_files), sum(m["original_size"] for _, m in self.staged_files)

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @classmethod
    def new_captcha_key(cls):
        """A captcha for one visit, as the field's widget makes one when it is written."""
        if captcha_settings.CAPTCHA_GET_FROM_POOL:
            return CaptchaStore.pick()
        return CaptchaStore.generate_key(cls.base_fields["captcha"].widget.generator)

    @staticmethod
    def token_is_valid(token):
        return bool(TOKEN_PATTERN.match(token or ""))

    def clean_reporter_id_number(self):
        value = self.cleaned_data["reporter_id_number"].strip().upper()
        if value and not id_number_is_valid(value):
            raise forms.ValidationError(
                _("This is not a valid 18-character ID card number. Check it, or leave it empty.")
            )
        return value

    def clean_region(self):
        code = self.cleaned_data["region"]
        return Region.objects.filter(code=code).first() if code else None

    def clean_homepage(self):
        value = self.cleaned_data["homepage"]
        if value:
            raise forms.ValidationError(
                _(
                    "This box must be empty. Your browser or password manager may have filled "
                    "it in: delete what is in it, then send again."
                ),
                code="trap",
            )
        return value

    def check_timing(self):
        token = self.data.get("submission_token", "")
        age = stamp_age(self.data.get("issued"), token)
        if age is None or age > settings.REPORT_FORM_MAX_AGE_HOURS * 3600:
            # Also after a change of SECRET_KEY: the person's answers must survive it, so the
            # page comes back with a new stamp and the next send goes through.
            self.refusal = "stale"
            data = self.data.copy()
            data["issued"] = issue_stamp(token)
            self.data = data
            self.add_error(
                None,
                _(
                    "This form was opened too long ago, or the site has changed since. "
                    "Check your answers, type the characters of the new picture and send again."
                ),
            )
        elif age < settings.REPORT_MIN_SECONDS:
            self.refusal = "too_fast"
            seconds = max(1, math.ceil(settings.REPORT_MIN_SECONDS - age))
            self.add_error(
                None,
                ngettext(
                    "The report was sent only moments after the form was opened, as automated "
                    "spam is. Wait %(seconds)s second, type the characters of the new picture "
                    "and send again.",
                    "The report was sent only moments after the form was opened, as automated "
                    "spam is. Wait %(seconds)s seconds, type the characters of the new picture "
                    "and send again.",
                    seconds,
                )
                % {"seconds": seconds},
            )

    def clean(self):
        data = super().clean()
        self.check_timing()
        check_when(self, data)
        check_protection(self, data.get("protection"), data.get("protection_details", ""))
        if data.get("identity") == Clue.Identity.NAMED:
            if not data.get("reporter_name", "").strip():
                self.add_error("reporter_name", _("Enter your name, or report anonymously."))
            if not data.get("reporter_phone", "").strip() and "reporter_phone" not in self.errors:
                self.add_error("reporter_phone", _("Enter a phone number, or report anonymously."))
        return data

    def protection_request(self):
        """(kind, what they wrote) when the reporter asks for protection, else None."""
        kind = self.cleaned_data.get("protection")
        return (kind, self.cleaned_data["protection_details"]) if kind else None

    def reporter_details(self):
        if self.cleaned_data["identity"] != Clue.Identity.NAMED:
            return None
        return {
            "name": self.cleaned_data["reporter_name"].strip(),
            "phone": self.cleaned_data["reporter_phone"].strip(),
            "id_number": self.cleaned_data["reporter_id_number"],
            "contact_time": self.cleaned_data["reporter_contact_time"].strip(),
        }


class PartyForm(FieldMarkupKeptUntilContentChanges, ShallowFieldCopies, forms.ModelForm):
    # A person can be described without a name ("the man with the scar"): every box of a
    # person is optional, and says so, and a person is kept when any box is filled.
    name = forms.CharField(label=_("Name or nickname"), max_length=100, required=False)

    class Meta:
        model = Party
        fields = ["name", "description", "role"]
        labels = {
            "description": _("What they look like or do"),
            "role": _("Their role (boss, enforcer, official...)"),
        }


PartyFormSet = forms.formset_factory(
    PartyForm, extra=2, max_num=MAX_PARTIES, validate_max=True, absolute_max=MAX_PARTIES
)

# What a report form's cleaned data gives the clue itself, the public form's and staff's alike
# (lifecycle.submission.submit_clue's `details`).
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


def with_another_party(data):
    """The posted data, with one more person's boxes when "add another person" was used."""
    if "add_party" not in data:
        return data
    data = data.copy()
    try:
        total = int(data.get("party-TOTAL_FORMS", "0"))
    except ValueError:
        return data
    data["party-TOTAL_FORMS"] = str(min(total + 1, MAX_PARTIES))
    return data


class StatusLookupForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    access_key = forms.CharField(
        label=_("Access key"),
        max_length=60,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, challenge=False, **kwargs):
        """`challenge`: many wrong keys were typed for this number lately (throttle), so the
        lookup must pass a captcha as well."""
        super().__init__(*args, **kwargs)
        self.challenge = challenge
        if challenge:
            self.fields["captcha"] = OneQueryCaptchaField(
                label=_("Type the characters in the picture"),
                help_text=_(
                    "Many wrong access keys were typed for this tracking number lately. To "
                    "protect the report, everyone who checks it is asked to type these "
                    "characters too."
                ),
                error_messages={
                    "required": _("Type the characters in the picture too."),
                    "invalid": _("The characters do not match. Try the new picture."),
                },
            )

    def clean_tracking_number(self):
        number = normalize_tracking_number(self.cleaned_data["tracking_number"])
        if number is None:
            raise forms.ValidationError(
                _("This tracking number has a typing error: check every digit.")
            )
        return number


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your answer first.")},
    )


class AddEvidenceForm(EvidenceCheckMixin, forms.Form):
    evidence = EvidenceField(
        label=_("Add photos, recordings, videos or documents"),
        widget=MultipleFileInput(
            attrs={"accept": "image/*,audio/*,video/*,application/pdf,.heic,.amr,.m4a"}
        ),
        error_messages={"required": _("Choose at least one file.")},
    )

    def __init__(self, *args, clue, rejected_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clue = clue
        self.rejected_files = list(rejected_files)
        self.fields["evidence"].help_text = evidence_help_text()
        self.processed_files = []

    def evidence_already_kept(self):
        kept = self.clue.evidence.all()
        return len(kept), sum(item.original_size for item in kept)


class ProtectionForm(forms.Form):
    """The status page's request for protection (reporting/intake/views/protection.py)."""

    kind = forms.ChoiceField(
        label=_("Do you fear retaliation, or have you suffered it?"),
        choices=ProtectionRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you fear retaliation or have suffered it.")},
    )
    details = forms.CharField(
        label=_("What do you fear, or what happened to you?"),
        max_length=PROTECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us what you fear or what happened to you.")},
    )
