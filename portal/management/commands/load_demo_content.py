import logging

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import registry


class Command(BaseCommand):
    help = (
        "Load the demo content: pages in both languages, site settings and an administrator "
        "with a new random password, printed at the end. Safe to run again: existing content "
        "is kept, missing content is added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even under production settings (creates a superuser).",
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not allow_production:
            raise CommandError(
                "Refusing to load demo content under production settings "
                "(pass --allow-production if this really is a demo server)."
            )
        if options["verbosity"] < 2:
            # Wagtail logs every page action at INFO; here that would bury the login line.
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        # Each app's demo content, in the order the apps registered (portal.registry): later
        # steps find what earlier ones made (the site, the demo staff) in the context.
        context = {}
        with transaction.atomic():
            for step in registry.demo_steps():
                step(context)
        for refresh in registry.demo_refreshes():
            refresh(context)

        # Pages are indexed by the task worker as they are published; the demo's search works
        # at once, before the worker has run.
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        for summary in registry.demo_summaries():
            line = summary(context)
            if line is not None:
                self.stdout.write(line)
