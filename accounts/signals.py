from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import sessions


@receiver(user_logged_in, dispatch_uid="accounts.start_staff_session")
def start_staff_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request.session)
