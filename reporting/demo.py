"""Demo reporting data: sample cities and counties under two provinces."""

from .reference import DATA, load_regions, seed_if_empty


def load():
    seed_if_empty()
    load_regions(DATA / "demo_regions.csv")
