"""The rules of entry points: where a code leads, how a scan is counted, what a poster
brought in, and how a list of locations becomes many entry points at once."""

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.text import decode_text_file
from reporting.models import Category, Region
from reporting.statistics import clue_counts_by_entry_code

from .models import CODE_MAX_LENGTH, Campaign, EntryPoint, ScanDay, new_code, normalise_code

# The notice the report form shows when a switched-off or unknown code brought the reader.
RETIRED_NOTICE = "poster"


def find(code):
    """The entry point of a code from a URL, or None. Codes are short ASCII letters and
    digits; anything else is no code, and never reaches the database (PostgreSQL refuses a
    NUL character in a query with an error, not with no rows)."""
    code = normalise_code(code or "")
    if not (code and len(code) <= CODE_MAX_LENGTH and code.isascii() and code.isalnum()):
        return None
    return EntryPoint.objects.filter(code=code).first()


def short_url(entry_point):
    """What the QR code holds and the poster prints: always the configured public origin,
    never the Host header of the request that asked for the image."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("posters:scan", args=[entry_point.code])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def report_form_url(query=None):
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("reporting:report")
    return f"{url}?{urlencode(query)}" if query else url


def destination(entry_point):
    """Where a scan leads. Unknown or switched-off codes, and pages since unpublished or
    deleted, lead to the report form: a printed code never ends on an error page."""
    if entry_point is None or not entry_point.active:
        return report_form_url({"notice": RETIRED_NOTICE})
    query = {"entry": entry_point.code}
    if entry_point.target == EntryPoint.Target.PAGE:
        page = entry_point.page
        if page is not None and page.live:
            return f"{page.url}?{urlencode(query)}"
        return report_form_url(query)
    if entry_point.category_id and entry_point.category.active:
        query["category"] = entry_point.category.slug
    if entry_point.region_id:
        query["region"] = entry_point.region.code
    return report_form_url(query)


def record_scan(entry_point, day=None):
    """One more scan today. Only a per-day count is kept: nothing about who scanned."""
    day = day or timezone.localdate()
    counter = ScanDay.objects.filter(entry_point=entry_point, day=day)
    if counter.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ScanDay.objects.create(entry_point=entry_point, day=day, count=1)
    except IntegrityError:
        # Another scan created today's counter between our update and insert.
        counter.update(count=F("count") + 1)


@dataclass
class Figures:
    scans: int = 0
    submitted: int = 0
    accepted: int = 0
    by_day: list = field(default_factory=list)


def figures(entry_points):
    """Scans, clues submitted and clues accepted after screening, per entry point: three
    queries whatever the number of entry points."""
    entry_points = list(entry_points)
    scans = dict(
        ScanDay.objects.filter(entry_point__in=entry_points)
        .values_list("entry_point")
        .annotate(total=Sum("count"))
    )
    clues = clue_counts_by_entry_code([entry_point.code for entry_point in entry_points])
    return {
        entry_point.pk: Figures(
            scans=scans.get(entry_point.pk, 0),
            submitted=clues.get(entry_point.code, (0, 0))[0],
            accepted=clues.get(entry_point.code, (0, 0))[1],
        )
        for entry_point in entry_points
    }


def campaign_figures(campaigns):
    campaigns = list(campaigns)
    entry_points = EntryPoint.objects.filter(campaign__in=campaigns)
    per_entry = figures(entry_points)
    totals = {campaign.pk: Figures() for campaign in campaigns}
    for entry_point in entry_points:
        total, one = totals[entry_point.campaign_id], per_entry[entry_point.pk]
        total.scans += one.scans
        total.submitted += one.submitted
        total.accepted += one.accepted
    return totals


def daily_scans(entry_points, days=30):
    """Scans per day over the last `days` days, oldest first, days without scans as 0."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    counts = dict(
        ScanDay.objects.filter(entry_point__in=entry_points, day__gte=first)
        .values_list("day")
        .annotate(total=Sum("count"))
    )
    return [
        (first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


# The columns of a bulk import, in English and in Chinese: editors keep their own headers.
IMPORT_COLUMNS = {
    "name": ("name", "名称"),
    "location": ("location", "位置", "地点"),
    "campaign": ("campaign", "宣传活动", "活动"),
    "category": ("category", "类别"),
    "region": ("region", "地区", "行政区划代码"),
}
MAX_IMPORT_ROWS = 1000
MAX_IMPORT_BYTES = 1024 * 1024


class ImportRefused(Exception):
    """The file or some of its rows are wrong; `errors` says which, and nothing was created."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def _read_csv(data):
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused([_("The file is larger than 1 MB. Split it into several files.")])
    text = decode_text_file(data)
    if text is None:
        raise ImportRefused([_("The file is not text in UTF-8 or GB18030. Save it as CSV.")])
    if "\x00" in text:
        raise ImportRefused([_("The file is not a CSV file. Save the sheet as CSV.")])
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ImportRefused([_("The file is not valid CSV: %s") % error]) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportRefused([_("The file is empty.")])
    return rows


def _columns(header):
    names = [cell.strip().lower() for cell in header]
    columns = {}
    for key, aliases in IMPORT_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                columns[key] = names.index(alias)
                break
    missing = [key for key in ("name", "location") if key not in columns]
    if missing:
        raise ImportRefused(
            [
                _("The first row must name the columns; missing: %(missing)s.")
                % {"missing": ", ".join(missing)}
            ]
        )
    return columns


@transaction.atomic
def import_entry_points(data, *, campaign=None):
    """Create one entry point per row of a CSV file, or none when any row is wrong.

    Columns: name and location (required); campaign, category (slug or name) and region
    (division code) optional. `campaign` applies to rows that name none."""
    rows = _read_csv(data)
    columns = _columns(rows[0])
    body = rows[1:]
    if not body:
        raise ImportRefused([_("The file has a header but no rows.")])
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused([_("At most %(limit)s rows at a time.") % {"limit": MAX_IMPORT_ROWS}])
    categories = {}
    for category in Category.objects.all():
        for key in (category.slug, category.name, category.name_en):
            categories[key.strip().lower()] = category
    campaigns = {existing.name: existing for existing in Campaign.objects.all()}
    # One query for every region the file names, not one per row.
    index = columns.get("region")
    named = {row[index].strip() for row in body if index is not None and index < len(row)}
    regions = {region.code: region for region in Region.objects.filter(code__in=named)}
    errors, created = [], []

    def cell(row, key):
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    for line, row in enumerate(body, start=2):
        problems = []
        name, location = cell(row, "name"), cell(row, "location")
        if not name:
            problems.append(_("the name is empty"))
        elif len(name) > 100:
            problems.append(_("the name is longer than 100 characters"))
        if not location:
            problems.append(_("the location is empty"))
        elif len(location) > 200:
            problems.append(_("the location is longer than 200 characters"))
        category = None
        if value := cell(row, "category"):
            category = categories.get(value.lower())
            if category is None:
                problems.append(_("there is no category “%(value)s”") % {"value": value})
        region = None
        if value := cell(row, "region"):
            region = regions.get(value)
            if region is None:
                problems.append(_("there is no region with code “%(value)s”") % {"value": value})
        row_campaign = campaign
        if value := cell(row, "campaign"):
            if len(value) > 100:
                problems.append(_("the campaign name is longer than 100 characters"))
            else:
                row_campaign = campaigns.get(value)
                if row_campaign is None:
                    row_campaign = campaigns[value] = Campaign.objects.create(name=value)
        if problems:
            errors.append(
                _("Row %(line)s: %(problems)s.")
                % {"line": line, "problems": _("; ").join(problems)}
            )
            continue
        created.append(
            EntryPoint(
                name=name,
                location=location,
                campaign=row_campaign,
                category=category,
                region=region,
            )
        )
    if errors:
        raise ImportRefused(errors)  # leaving the transaction undoes any campaign it made
    for entry_point in created:
        _save_with_fresh_code(entry_point)
    return created


def _save_with_fresh_code(entry_point):
    # 31^6 codes: a clash is rare, but a second printed poster with the same code would be
    # worse than a retry.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                entry_point.save()
            return entry_point
        except IntegrityError:
            entry_point.pk = None
            entry_point.code = new_code()
    raise IntegrityError("no free entry point code after five attempts")
