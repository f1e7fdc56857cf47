"""The report form's own fields: the region and category choices (kept per language in
portal.pagecache), the phone and ID-number checks, and the evidence files with their checks."""

import re
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.pagecache.kept import until_content_changes
from reporting.evidence import checks as evidence
from reporting.models import Category, Region

# The shape of a poster's code: ASCII letters and digits, at most 12 (posters.models, which
# prints them in capitals). Only the string is kept on a clue; reporting never asks posters.
ENTRY_CODE_PATTERN = re.compile(r"[A-Za-z0-9]{1,12}")


def entry_code_or_blank(value):
    """The poster code a link or the report form carries, in capitals, or "" when it has
    another shape."""
    value = value.strip() if isinstance(value, str) else ""
    return value.upper() if ENTRY_CODE_PATTERN.fullmatch(value) else ""


class EntryCodeField(forms.CharField):
    """The poster code, carried by the report form in a hidden field. Its reporter never sees
    it, so a value of another shape (a mangled or forged link, text meant for a spreadsheet,
    a NUL) is dropped, not refused: an error there would hold back a report its writer cannot
    correct, for a figure of the poster's. Such a clue is counted for no poster. A code of the
    right shape is kept even when no poster has it (any more): a deleted poster's clues keep
    its code, and reporting does not ask posters which codes exist."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        # A dropped value is not written back into the page either.
        return entry_code_or_blank(data)

    def clean(self, value):
        return entry_code_or_blank(value)


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
        return mark_safe(head + options + end + tail)  # nosec B308 B703 # noqa: S308 (escaped by format_html)


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
        "Up to %(count)s files, %(each)s each and %(total)s together. Photos, recordings, "
        "videos and PDFs are cleaned of location and device data before they are stored; "
        "what they show or say stays, so mind it."
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
