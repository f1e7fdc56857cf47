from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reporting.evidence import crypto
from reporting.models import Clue, Evidence, ProtectionRequest

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt named reporters' details, kept originals and protection requests with "
        "the first key of REPORTER_ENCRYPTION_KEYS. Put the new key first, keep the old ones "
        "after it, run this, then remove the old keys. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            clues = self.rotate_clues()
            originals = self.rotate_originals()
            requests = self.rotate_protection_requests()
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
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {requests} protection requests."))

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

    def rotate_protection_requests(self):
        """What reporters wrote asking for protection, the measures and the answers."""
        count = 0
        for pk in ProtectionRequest.objects.values_list("pk", flat=True):
            with transaction.atomic():
                item = ProtectionRequest.objects.select_for_update().get(pk=pk)
                fields = ["messages_sealed", "measures_sealed", "answer_sealed"]
                for name in fields:
                    if getattr(item, name):
                        setattr(item, name, crypto.rotate(getattr(item, name)))
                item.save(update_fields=fields)
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
