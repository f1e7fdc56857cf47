from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.reference_data import ReferenceDataError, load_regions


class Command(BaseCommand):
    help = (
        "Add cities and counties (or any missing divisions) from a UTF-8 CSV with the columns "
        "code,parent,level,name,name_en (see reporting/data/demo_regions.csv). Existing "
        "regions are kept; a file with any problem changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args, csv_file, **options):
        if not csv_file.is_file():
            raise CommandError(f"{csv_file}: no such file")
        try:
            added = load_regions(csv_file)
        except ReferenceDataError as error:
            raise CommandError(
                f"{csv_file} was not loaded:\n  " + "\n  ".join(error.problems)
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{added} regions added."))
