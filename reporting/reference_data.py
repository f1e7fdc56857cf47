"""Reference data every installation starts with: the provincial-level divisions and the
categories of clues. Staff edit both afterwards; seeding never overwrites their edits."""

import csv
import unicodedata
from pathlib import Path

from django.db import transaction

from .models import Category, Region

DATA = Path(__file__).resolve().parent / "data"


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


REGION_COLUMNS = ["code", "parent", "level", "name", "name_en"]


class ReferenceDataError(ValueError):
    """A reference-data file with problems; .problems lists them by line."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def _has_control_character(text):
    return any(unicodedata.category(char) == "Cc" for char in text)


def check_regions(rows):
    """Every problem of a regions file, by line number, before anything is written."""
    problems = []
    known = set(Region.objects.values_list("code", flat=True))
    seen = set()
    name_limit = Region._meta.get_field("name").max_length
    for number, row in enumerate(rows, start=2):
        code, parent = row.get("code") or "", row.get("parent") or ""
        if None in row or None in row.values():
            # csv.DictReader files extra cells under None and fills missing ones with None.
            problems.append(f"line {number}: expected {len(REGION_COLUMNS)} columns")
        # Only ASCII digits: str.isdigit() also takes other scripts' digits and superscripts.
        if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
            problems.append(
                f"line {number}: code {code!r} is not a 6, 9 or 12-digit division code"
            )
        elif code in seen:
            problems.append(f"line {number}: code {code} appears twice")
        if row.get("level") not in Region.Level.values:
            problems.append(
                f"line {number}: level {row.get('level')!r} is not one of "
                + ", ".join(Region.Level.values)
            )
        names = [(row.get("name") or "").strip(), (row.get("name_en") or "").strip()]
        if not all(names):
            problems.append(f"line {number}: name and name_en are both required")
        if any(len(name) > name_limit for name in names):
            problems.append(f"line {number}: a name is longer than {name_limit} characters")
        if any(_has_control_character(name) for name in names):
            problems.append(f"line {number}: a name contains a control character")
        if parent and parent not in known and parent not in seen:
            problems.append(
                f"line {number}: parent {parent} is neither above in the file nor known"
            )
        if not parent and row.get("level") != Region.Level.PROVINCE:
            problems.append(f"line {number}: only a province may have no parent")
        seen.add(code)
    return problems


@transaction.atomic
def load_regions(path):
    """Add the regions of a CSV (code, parent, level, name, name_en) that are missing; a file
    with any problem changes nothing and raises ReferenceDataError listing them all."""
    try:
        rows = list(_rows(path))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError([f"not a UTF-8 CSV file: {error}"]) from None
    # Extra cells of the first row (filed under None) are that row's problem, not the header's.
    if not rows or [key for key in rows[0] if key is not None] != REGION_COLUMNS:
        raise ReferenceDataError(["the first line must be: " + ",".join(REGION_COLUMNS)])
    problems = check_regions(rows)
    if problems:
        raise ReferenceDataError(problems)
    known = set(Region.objects.values_list("code", flat=True))
    added = 0
    for row in rows:
        if row["code"] in known:
            continue
        fields = {k: row[k].strip() for k in ("code", "level", "name", "name_en")}
        if row["parent"]:
            Region.objects.get(code=row["parent"]).add_child(**fields)
        else:
            Region.add_root(**fields)
        known.add(row["code"])
        added += 1
    return added


@transaction.atomic
def load_categories(path):
    known = set(Category.objects.values_list("slug", flat=True))
    added = 0
    for order, row in enumerate(_rows(path)):
        if row["slug"] in known:
            continue
        Category.objects.create(
            slug=row["slug"],
            name=row["name"],
            name_en=row["name_en"],
            description=row["description"],
            description_en=row["description_en"],
            law_article=int(row["law_article"]) if row["law_article"] else None,
            sort_order=order,
        )
        added += 1
    return added


def seed_if_empty(**kwargs):
    """post_migrate: a new installation gets the provinces and the categories."""
    if not Region.objects.exists():
        load_regions(DATA / "regions.csv")
    if not Category.objects.exists():
        load_categories(DATA / "categories.csv")
