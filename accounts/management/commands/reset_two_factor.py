from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import twofactor


class Command(BaseCommand):
    help = (
        "Remove a staff member's authenticator and recovery codes (a lost phone and lost "
        "codes), so they set up a new phone at their next sign-in. Identify the person first, "
        "and give them a new password too: until they enrol, the password alone lets anyone "
        "set up the second factor."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        twofactor.reset(user)
        self.stdout.write(f"{username} will set up two-factor authentication at next sign-in.")
