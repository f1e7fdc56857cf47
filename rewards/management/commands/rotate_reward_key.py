from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reporting.evidence import crypto
from rewards.models import Claim


class Command(BaseCommand):
    help = (
        "Re-encrypt the bank details of unpaid reward claims with the first key of "
        "REPORTER_ENCRYPTION_KEYS; run it beside rotate_reporter_key, before removing an old "
        "key. Safe to run again."
    )

    def handle(self, *args, **options):
        count = 0
        ids = list(Claim.objects.exclude(payment_sealed=None).values_list("pk", flat=True))
        try:
            for pk in ids:
                with transaction.atomic():
                    claim = Claim.objects.select_for_update().filter(pk=pk).first()
                    if claim is None or claim.payment_sealed is None:
                        continue
                    claim.payment_sealed = crypto.rotate(claim.payment_sealed)
                    claim.save(update_fields=["payment_sealed"])
                    count += 1
        except crypto.InvalidToken:
            raise CommandError(
                "A claim was encrypted with a key that is not in REPORTER_ENCRYPTION_KEYS: "
                "add the old key back (after the new one) and run again."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the bank details of {count} claims."))
