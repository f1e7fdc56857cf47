from django.core.management.base import BaseCommand, CommandError

from portal.backup import archive
from portal.backup.crypto import BackupError, load_key


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_portal into an empty database and empty storages. "
        "Every part is decrypted and checked against the manifest before anything is written; "
        "the database is restored in one transaction. Needs BACKUP_ENCRYPTION_KEY (or "
        "--key-file). Run migrate afterwards when this release is newer than the backup's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="the backup's folder")
        parser.add_argument("--key-file", help="the backup key; default: $BACKUP_ENCRYPTION_KEY")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the tables and files already there instead of refusing",
        )
        parser.add_argument(
            "--database-url",
            help="restore the database into this PostgreSQL database instead of DATABASE_URL's",
        )

    def handle(self, *args, **options):
        try:
            key = load_key(options["key_file"], archive.KEY_VARIABLE)
            manifest = archive.restore(
                options["input"],
                key,
                force=options["force"],
                database_url=options["database_url"],
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:  # a folder that cannot be made or read, a full disk
            where = f"{error.filename}: " if error.filename else ""
            raise CommandError(f"{where}{error.strerror or error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created']} (release {manifest['release']})."
            )
        )
