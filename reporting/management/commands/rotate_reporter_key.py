from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reporting.evidence import crypto
from reporting.models import Clue, Evidence

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt named reporters' details and kept originals with the first key of "
        "REPORTER_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run "
        "this, then remove the old keys. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            clues = self.rotate_clues()
            originals = self.rotate_originals()
        except crypto.InvalidToken:
            raise CommandError(
                "A row was encrypted with a key that is not in REPORTER_ENCRYPTION_KEYS: "
                "add the old key back (after the new one) and run again."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {clues} reporters' details and {originals} original files."
            )
        )

    def rotate_clues(self):
        count = 0
        ids = list(Clue.objects.exclude(reporter_sealed=None).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                batch = Clue.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for clue in batch.only("pk", "reporter_sealed"):
                    clue.reporter_sealed = crypto.rotate(clue.reporter_sealed)
                    clue.save(update_fields=["reporter_sealed"])
                    count += 1
        return count

    def rotate_originals(self):
        count = 0
        for item in Evidence.objects.exclude(original_file="").iterator():
            with item.original_file.open("rb") as handle:
                rotated = crypto.rotate(handle.read())
            # Write the new file before pointing the row at it; the old one goes last.
            old_name = item.original_file.name
            item.original_file.save("original", ContentFile(rotated), save=True)
            item.original_file.storage.delete(old_name)
            count += 1
        return count
