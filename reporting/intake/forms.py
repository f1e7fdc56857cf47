import math
import re
import secrets
import time
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore

from portal.formrenderer import FieldMarkupKeptUntilContentChanges
from portal.forms import ShallowFieldCopies
from portal.pagecache.kept import until_content_changes
from reporting.evidence import checks as evidence
from reporting.intake.receipts import normalize_tracking_number
from reporting.models import Category, Clue, Party, Region

MAX_PARTIES = 10
TOKEN_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{20,64}\Z")

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,22}[0-9]$",
    _("Enter a phone number of digits, for example 138 0013 8000."),
)


class RegionOptions(BaseChoiceIterator):
    """ "Don't know", then provinces, cities and counties in tree order, each named with its
    parents ("广东省 / 广州市 / 天河区") so a screen reader says where it is; with the codes
    as a set, and the select's options as one escaped string, written as Django's Select
    writes them. A country's three thousand counties would otherwise be thousands of option
    templates on every page of the form."""

    def __init__(self, regions):
        self.choices = [("", _("I don't know"))]
        path = []
        for region in regions:
            path = [*path[: region.depth - 1], region.label]
            self.choices.append((region.code, " / ".join(path)))
        self.codes = frozenset(code for code, _label in self.choices)
        self.html = "".join(
            format_html('\n  <option value="{}">{}</option>\n', code, label)
            for code, label in self.choices
        )

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)

    def options_html(self, selected):
        """The options, the first whose value is `selected` marked so."""
        if selected not in self.codes:
            return self.html
        plain = format_html('<option value="{}">', selected)
        marked = format_html('<option value="{}" selected>', selected)
        return self.html.replace(plain, marked, 1)


def region_options():
    """Built once per language until a region is saved or deleted (portal.pagecache.kept)."""
    return until_content_changes("report_form_regions", lambda: RegionOptions(Region.get_tree()))


class CategoryOption(NamedTuple):
    pk: int
    label: str
    hint: str


def category_options():
    """The active categories in order, with their labels and hints in the active language:
    built once per language until a category is saved or deleted."""
    return until_content_changes(
        "report_form_categories",
        lambda: [
            CategoryOption(c.pk, c.label, c.description_label)
            for c in Category.objects.filter(active=True)
        ],
    )


class RegionSelect(forms.Select):
    """Django's Select, with the options of region_options() put in as one string."""

    def optgroups(self, name, value, attrs=None):
        if isinstance(self.choices, RegionOptions):
            return []
        return super().optgroups(name, value, attrs)

    def render(self, name, value, attrs=None, renderer=None):
        empty = super().render(name, value, attrs, renderer)
        if not isinstance(self.choices, RegionOptions):
            return empty
        head, end, tail = empty.rpartition("\n</select>")
        values = self.format_value(value)
        options = self.choices.options_html(values[0] if values else None)
        return mark_safe(head + options + end + tail)  # noqa: S308 (escaped by format_html)


class RegionField(forms.ChoiceField):
    widget = RegionSelect

    def valid_value(self, value):
        if isinstance(self.choices, RegionOptions):
            return value in self.choices.codes
        return super().valid_value(value)


def id_number_is_valid(value: str) -> bool:
    """Check digit of an 18-character resident identity number (GB 11643-1999)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


# The form carries the time it was issued, signed and bound to its submission token: a script
# that posts at once, or invents or reuses a stamp, is refused; a person never notices.
STAMP_SALT = "reporting.report-form.issued"


def issue_stamp(token, at=None):
    """The signed time a form for this token was issued (`at`, seconds since the epoch)."""
    issued = int(time.time() if at is None else at)
    return signing.Signer(salt=STAMP_SALT).sign(f"{issued}:{token}")


def stamp_age(stamp, token, now=None):
    """Seconds since the form was issued, or None for a stamp that is not ours for this
    token (forged, altered, from another form, or signed with a key no longer in use)."""
    try:
        payload = signing.Signer(salt=STAMP_SALT).unsign(stamp or "")
    except signing.BadSignature:
        return None
    issued, _sep, stamped_token = payload.partition(":")
    if not issued.isdigit() or stamped_token != token:
        return None
    return (time.time() if now is None else now) - int(issued)


def stamp_is_fresh(stamp, token):
    age = stamp_age(stamp, token)
    return age is not None and age <= settings.REPORT_FORM_MAX_AGE_HOURS * 3600


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        # Empty files go on to evidence.process, whose error names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(EvidenceField, self).clean(item, initial) for item in files]


def evidence_help_text():
    return _(
        "Up to %(count)s files, %(each)s each and %(total)s together. Photos and PDFs "
        "are cleaned of location and device data before they are stored. Recordings and "
        "videos are kept as sent and may contain the device name or place."
    ) % {
        "count": settings.EVIDENCE_MAX_FILES,
        "each": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES),
        "total": filesizeformat(settings.EVIDENCE_MAX_TOTAL_BYTES),
    }


class EvidenceCheckMixin:
    """Checks the files of an `evidence` field; those that pass are kept on the form
    (`processed_files`) even when others fail, so they need not be chosen again."""

    rejected_files = ()

    def evidence_already_kept(self):
        """(count, bytes) of files this report already has."""
        return 0, 0

    def clean_evidence(self):
        self.processed_files = []
        errors = list(self.rejected_files)
        for upload in self.cleaned_data["evidence"]:
            try:
                self.processed_files.append(evidence.process(upload.name, upload.read()))
            except evidence.EvidenceError as error:
                errors.append(str(error))
        count, size = self.evidence_already_kept()
        count += len(self.processed_files)
        size += sum(processed.original_size for processed in self.processed_files)
        if size > settings.EVIDENCE_MAX_TOTAL_BYTES:
            errors.append(
                _("Together the files are larger than %(total)s; remove some.")
                % {"total": filesizeformat(settings.EVIDENCE_MAX_TOTAL_BYTES)}
            )
        if count > settings.EVIDENCE_MAX_FILES:
            errors.append(
                _("Only %(count)s files can be sent with one report; remove some.")
                % {"count": settings.EVIDENCE_MAX_FILES}
            )
        if errors:
            raise forms.ValidationError(errors)
        return self.processed_files


def active_categories():
    """The active categories by primary key (as a form sends it), kept like
    category_options(): a report's category is found without a query."""
    return until_content_changes(
        "report_form_category_objects",
        lambda: {str(c.pk): c for c in Category.objects.filter(active=True)},
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        return category.label

    def to_python(self, value):
        """The chosen category among the kept active ones; the field's own lookup, of its
        queryset (the active categories too), costs a query."""
        if value in self.empty_values or isinstance(value, Category):
            return super().to_python(value)
        category = active_categories().get(str(value))
        if category is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return category


class OneQueryCaptchaField(CaptchaField):
    """django-simple-captcha's field, checked in one statement: the answer's row is deleted
    and returned together with every expired row (the library's own check takes seven
    queries and two transactions). As there, a picture can be tried once only, right or
    wrong, and an expired one never passes."""

    def clean(self, value):
        forms.MultiValueField.clean(self, value)
        response, value[1] = (value[1] or "").strip().lower(), ""
        table = connection.ops.quote_name(CaptchaStore._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE hashkey = %s OR expiration <= %s "  # noqa: S608 (the table's name, quoted)
                "RETURNING hashkey, response, expiration > %s",
                [value[0], now, now],
            )
            rows = cursor.fetchall()
        answers = [answer for key, answer, fresh in rows if key == value[0] and fresh]
        if not answers or answers[0] != response:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


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
        label=_("Your ID card number (optional)"),
        max_length=18,
        required=False,
    )
    reporter_contact_time = forms.CharField(
        label=_("When may we call you? (optional)"), max_length=100, required=False
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
    entry = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    issued = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
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
        today = timezone.localdate()
        when, start, end = data.get("when"), data.get("when_start"), data.get("when_end")
        if start and start > today:
            self.add_error("when_start", _("This date is in the future."))
        if end and end > today:
            self.add_error("when_end", _("This date is in the future."))
        if when == Clue.When.DATE and not start:
            self.add_error("when_start", _("Enter the date, or choose “I don't know”."))
        if when == Clue.When.PERIOD:
            if not start:
                self.add_error("when_start", _("Enter the first day, or choose “I don't know”."))
            if not end:
                self.add_error("when_end", _("Enter the last day, or choose “I don't know”."))
            if start and end and end < start:
                self.add_error("when_end", _("The last day is before the first day."))
        if data.get("identity") == Clue.Identity.NAMED:
            if not data.get("reporter_name", "").strip():
                self.add_error("reporter_name", _("Enter your name, or report anonymously."))
            if not data.get("reporter_phone", "").strip() and "reporter_phone" not in self.errors:
                self.add_error("reporter_phone", _("Enter a phone number, or report anonymously."))
        return data

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
    class Meta:
        model = Party
        fields = ["name", "description", "role"]
        labels = {
            "name": _("Name or nickname"),
            "description": _("What they look like or do"),
            "role": _("Their role (boss, enforcer, official...)"),
        }


PartyFormSet = forms.formset_factory(
    PartyForm, extra=2, max_num=MAX_PARTIES, validate_max=True, absolute_max=MAX_PARTIES
)


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
