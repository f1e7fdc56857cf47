"""Copies the local media and evidence folders into the storages the settings now choose
(docs/storage.md#moving-existing-files-into-buckets)."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError

# The readiness probe's files are deleted as soon as written; one left by a killed process is
# not worth copying.
SKIPPED = ("health/",)


class Command(BaseCommand):
    help = (
        "Copy every file of MEDIA_ROOT and PRIVATE_MEDIA_ROOT into the storage the settings "
        "now choose for it (a bucket), under the same name, so the database's names stay "
        "right. A name already there with the same size is skipped; one with another size is "
        "reported and left alone. Run it again after the portal stops, to copy what came since."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--which",
            choices=["media", "private", "both"],
            default="both",
            help="Public media, evidence, or both (default).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go.")

    def handle(self, *args, which, dry_run, **options):
        pairs = {
            "media": (Path(settings.MEDIA_ROOT), "default"),
            "private": (Path(settings.PRIVATE_MEDIA_ROOT), "private"),
        }
        chosen = ["media", "private"] if which == "both" else [which]
        conflicts = 0
        for kind in chosen:
            root, alias = pairs[kind]
            target = storages[alias]
            if isinstance(target, FileSystemStorage):
                raise CommandError(
                    f"The {kind} storage is still a local folder: set its S3_* bucket first."
                )
            counts = self.copy(root, target, dry_run)
            conflicts += counts["conflicts"]
            self.stdout.write(
                f"{kind}: {counts['copied']} {'to copy' if dry_run else 'copied'}, "
                f"{counts['present']} already there, {counts['conflicts']} different"
            )
        if conflicts:
            raise CommandError(f"{conflicts} names hold different files in the bucket; see above.")

    def copy(self, root, target, dry_run):
        counts = {"copied": 0, "present": 0, "conflicts": 0}
        if not root.is_dir():
            return counts
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if not path.is_file() or name.startswith(SKIPPED):
                continue
            if target.exists(name):
                if target.size(name) == path.stat().st_size:
                    counts["present"] += 1
                else:
                    counts["conflicts"] += 1
                    self.stderr.write(f"different in the bucket, left alone: {name}")
                continue
            if not dry_run:
                with path.open("rb") as handle:
                    saved = target.save(name, File(handle))
                if saved != name:  # the name was taken meanwhile: never one under another name
                    target.delete(saved)
                    raise CommandError(f"{name} was written meanwhile; run the command again.")
            counts["copied"] += 1
        return counts
