import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models.signals import post_save

from wagtail.signal_handlers import disable_reference_index_auto_update

from modelsearch import index
from modelsearch.signal_handlers import post_save_signal_handler

from portal import registry


@contextmanager
def indexes_built_after():
    """Saves queue no index updates: each page, snippet and image saved would queue a task to
    index it for search and one for Wagtail's reference index (736 for the demo), which the
    worker then ran after the first command for nothing, as both indexes are built whole
    once the content is in (Command.handle)."""
    searched = [
        model for model in index.get_indexed_models() if getattr(model, "search_auto_update", True)
    ]
    for model in searched:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in searched:
            post_save.connect(post_save_signal_handler, sender=model)


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
        with indexes_built_after():
            with transaction.atomic():
                for step in registry.demo_steps():
                    step(context)
            for refresh in registry.demo_refreshes():
                refresh(context)

        # Both indexes whole, at once: the demo's search works before the worker has run, and
        # the admin's "used by" counts are right.
        call_command("update_index", verbosity=0)
        call_command("rebuild_references_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        for summary in registry.demo_summaries():
            line = summary(context)
            if line is not None:
                self.stdout.write(line)
