from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Authenticator, SecretUnreadable

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt the staff authenticators' secrets with the first key of "
        "REPORTER_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run "
        "this and rotate_reporter_key, then remove the old keys. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            count = self.rotate()
        except SecretUnreadable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} authenticators' secrets."))

    def rotate(self):
        count = 0
        ids = list(Authenticator.objects.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(ids), BATCH):
            # Locked like a sign-in locks its device, so a code checked meanwhile cannot
            # write back the old ciphertext over the new.
            with transaction.atomic():
                batch = Authenticator.objects.select_for_update().filter(
                    pk__in=ids[start : start + BATCH]
                )
                for device in batch.only("pk", "sealed_secret"):
                    device.rotate_secret()
                    device.save(update_fields=["sealed_secret"])
                    count += 1
        return count
