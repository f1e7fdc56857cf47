import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo


class Command(BaseCommand):
    help = (
        "Print the current second-factor code of the demo accounts (load_demo_content gives "
        "them all one public demo key). Development only: it knows no other key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--next",
            action="store_true",
            help="The code of the next 30-second step: a code is accepted once per account, "
            "so a second sign-in within the same step needs this one.",
        )

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("Demo accounts have no demo key under production settings.")
        now = time.time()
        if options["next"]:
            self.stdout.write(demo.code(now + demo.STEP))
            return
        self.stdout.write(demo.code(now))
        self.stderr.write(f"(valid for {demo.seconds_left(now)} more seconds)")
