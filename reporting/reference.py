"""Reference data every installation starts with: the provincial-level divisions and the
categories of clues. Staff edit both afterwards; seeding never overwrites their edits."""

import csv
from pathlib import Path

from django.db import transaction

from .models import Category, Region

DATA = Path(__file__).resolve().parent / "data"


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


@transaction.atomic
def load_regions(path):
    """Add the regions of a CSV (code, parent, level, name, name_en) that are missing."""
    known = set(Region.objects.values_list("code", flat=True))
    added = 0
    for row in _rows(path):
        if row["code"] in known:
            continue
        fields = {k: row[k] for k in ("code", "level", "name", "name_en")}
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
