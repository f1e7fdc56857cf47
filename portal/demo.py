"""Site-wide demo data: the hotline setting and an administrator account."""

import secrets

from django.contrib.auth import get_user_model

from wagtail.models import Site

from .factories import SuperuserFactory
from .models import PortalSettings

ADMIN_USERNAME = "admin"


def load_settings(site: Site) -> None:
    PortalSettings.for_site(site)  # created with the default national hotline if missing


def reset_admin() -> tuple[str, str]:
    """Create the demo administrator or give it a fresh random password; never a fixed one,
    so a demo left reachable on a network is not open to anyone who read the README."""
    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        user = SuperuserFactory(username=ADMIN_USERNAME, first_name="演示", last_name="管理员")
    user.set_password(password)
    user.is_active = user.is_staff = user.is_superuser = True
    user.save()
    return ADMIN_USERNAME, password
