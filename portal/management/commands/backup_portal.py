from django.core.management.base import BaseCommand, CommandError

from portal.backup import archive
from portal.backup.crypto import BackupError, load_key


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump), every file of the public and private storages and a "
        "manifest into a new folder, encrypted with BACKUP_ENCRYPTION_KEY (or --key-file). "
        "With --keys-output, the settings' secrets go to that file, encrypted with "
        "BACKUP_KEYS_ENCRYPTION_KEY (or --keys-key-file): keep it apart from the backups. "
        "PostgreSQL only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="a new (or empty) folder")
        parser.add_argument("--key-file", help="the backup key; default: $BACKUP_ENCRYPTION_KEY")
        parser.add_argument("--keys-output", help="where to write the encrypted keys file")
        parser.add_argument(
            "--keys-key-file", help="the keys file's key; default: $BACKUP_KEYS_ENCRYPTION_KEY"
        )

    def handle(self, *args, **options):
        try:
            key = load_key(options["key_file"], archive.KEY_VARIABLE)
            keys_key = None
            if options["keys_output"]:
                keys_key = load_key(options["keys_key_file"], archive.KEYS_KEY_VARIABLE)
            manifest = archive.backup(
                options["output"],
                key,
                keys_output=options["keys_output"],
                keys_key=keys_key,
                log=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:  # a folder that cannot be made or read, a full disk
            where = f"{error.filename}: " if error.filename else ""
            raise CommandError(f"{where}{error.strerror or error}") from None
        files = sum(len(entries) for entries in manifest["storages"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the database and {files} files to {options['output']} in "
                f"{manifest['seconds']} s (key id {manifest['key_id']})."
            )
        )
