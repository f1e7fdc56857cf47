import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo

# A code with less time than this left would often expire while it is being typed.
MIN_SECONDS_LEFT = 10


class Command(BaseCommand):
    help = (
        "Print the current second-factor code of the demo accounts (load_demo_content gives "
        "them all one public demo key). Development only: it knows no other key. When the "
        f"current code has less than {MIN_SECONDS_LEFT} seconds left, it waits for the next one."
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
            left = demo.seconds_left(now) + demo.STEP
            self.stderr.write(f"(the next step's code: valid for {left} more seconds)")
            return
        left = demo.seconds_left(now)
        if left < MIN_SECONDS_LEFT:
            self.stderr.write(
                f"(the current code expires in {left} seconds: waiting for the next)"
            )
            time.sleep(left)
            now = time.time()
            left = demo.seconds_left(now)
        self.stdout.write(demo.code(now))
        self.stderr.write(f"(valid for {left} more seconds)")
