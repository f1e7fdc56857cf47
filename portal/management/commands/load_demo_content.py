import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import accounts.demo
import content.demo
import content.demo_pages
import content.demo_stories
import law.demo
import portal.demo
import posters.demo
import reporting.demo
import reporting.jobs.snapshots
import transparency.demo


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
        with transaction.atomic():
            site = content.demo.load()
            portal.demo.load_workflow(site)
            law.demo.load()
            content.demo_stories.load()
            content.demo_pages.load()
            content.demo_pages.feature_on_home()
            transparency.demo.load()
            portal.demo.load_settings(site)
            reporting.demo.load()
            username, password = portal.demo.reset_admin()
            tracking_number, access_key = reporting.demo.demo_report()
            staff_password = secrets.token_urlsafe(12)
            people = reporting.demo.load_staff(password=staff_password)
            reporting.demo.demo_review(people)
            posters.demo.load(people)
            reporting.demo.demo_volume(people)
            # A public key is harmless only beside fresh random passwords, and never on a
            # server run with production settings: there, accounts enrol at first sign-in.
            demo_second_factor = not settings.SETTINGS_MODULE.endswith(".production")
            if demo_second_factor:
                admin = get_user_model().objects.get(username=username)
                accounts.demo.give_demo_authenticators([admin, *people.values()])
        transparency.demo.refresh()
        # The supervisors' usual statistics too, so the first visit reads them as the worker
        # will keep them, before its first round.
        reporting.jobs.snapshots.refresh(force=True)

        # Pages are indexed by the task worker as they are published; the demo's search works
        # at once, before the worker has run.
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
        self.stdout.write(
            f"Admin login: {settings.PORTAL_BASE_URL}/admin/  "
            f"user: {username}  password: {password}\n"
            "(a new password is set each time this command runs)"
        )
        self.stdout.write(
            f"Demo staff (password for all: {staff_password}): " + ", ".join(sorted(people))
        )
        if demo_second_factor:
            self.stdout.write(
                "Second factor of every demo account: the demo key "
                f"{accounts.demo.demo_key_base32()} in an authenticator app, or the current "
                "code from `.venv/bin/python manage.py demo_code`"
            )
        self.stdout.write(
            f"Demo report: {settings.PORTAL_BASE_URL}/report/status/  "
            f"tracking number: {tracking_number}  access key: {access_key}"
        )
        self.stdout.write(
            f"Demo poster: {settings.PORTAL_BASE_URL}/r/{posters.demo.ENTRY_POINTS[0][0]}/  "
            f"(its poster: /r/{posters.demo.ENTRY_POINTS[0][0]}/poster.pdf)"
        )
