"""Spreadsheet exports of the admin's listings, written the same way by every view that has
them (docs/review.md#exports).

A spreadsheet opening a CSV file runs a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula: =HYPERLINK() sends the sheet's data away, and what a citizen
typed reaches these files. Such a cell gets one leading apostrophe, which spreadsheets take as
"this is text" (OWASP, CSV injection). Wagtail's XLSX export already stores such cells as
text; its CSV writes them as they are."""

import codecs
import re

from django.utils import translation

# Starts a formula when it opens a cell. Apostrophes in front are counted too, so that a
# value that already starts with one gets its own, and every value comes back unchanged.
_FORMULA_START = "=+\\-@\t\r"
_NEEDS_APOSTROPHE = re.compile(f"'*[{_FORMULA_START}]")
# Most cells start with a digit or a letter: one look at the first character decides them.
_FIRST_CHARACTERS = frozenset("'=+-@\t\r")
_HAS_APOSTROPHE = re.compile(f"'+[{_FORMULA_START}]")


def neutral_cell(value):
    """The value as a CSV cell no spreadsheet runs. Only text is changed: numbers (a negative
    one too) and dates stay what they are."""
    if (
        isinstance(value, str)
        and value[:1] in _FIRST_CHARACTERS
        and _NEEDS_APOSTROPHE.match(value)
    ):
        return "'" + value
    return value


def original_cell(text):
    """What a program reading the CSV does to get the value back: a cell starting with
    apostrophes followed by one of = + - @ tab or carriage return loses its first apostrophe."""
    return text[1:] if _HAS_APOSTROPHE.match(text) else text


class PortalSpreadsheetExport:
    """For an admin listing view (a SpreadsheetExportMixin, as Wagtail's IndexView is): its
    CSV cells are neutral, its headings in the reader's language, and the file opens in
    Excel as UTF-8."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return neutral_cell(value) if export_format == self.FORMAT_CSV else value

    def stream_csv(self, queryset):
        # The rows are written while the response streams, after the view has returned:
        # keep the reader's language for the headings. The BOM makes Excel read UTF-8.
        language = translation.get_language()
        rows = super().stream_csv(queryset)

        def in_language():
            with translation.override(language):
                yield codecs.BOM_UTF8
                yield from rows

        return in_language()
