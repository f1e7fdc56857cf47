from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from . import sessions, twofactor

# Background calls of the page editor: they keep no one at work, so they do not keep a
# session alive.
BACKGROUND_VIEWS = {"wagtailadmin_editing_sessions:ping"}

# What a signed-in but unverified account may reach: the second-factor pages, signing out,
# and what those pages load.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts_verify",
    "accounts_enrol",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}


def _view_name(request):
    if not hasattr(request, "_accounts_view_name"):
        try:
            request._accounts_view_name = resolve(request.path_info).view_name
        except Resolver404:
            request._accounts_view_name = None
    return request._accounts_view_name


def may_be_signed_in(request):
    """Only a request with a session cookie can be; asking any other for its user would read
    the session and mark every public response "Vary: Cookie", spoiling its caching."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class StaffSessionMiddleware:
    """Signs a staff member out after STAFF_SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if may_be_signed_in(request) and request.user.is_authenticated:
            if sessions.expired(request.session):
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": sessions.idle_seconds_allowed() // 60},
                )
            elif _view_name(request) not in BACKGROUND_VIEWS:
                sessions.touch(request.session)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until the second factor is given, the admin answers only with the second-factor pages,
    and everywhere else the account counts as signed out."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if (
            may_be_signed_in(request)
            and twofactor.required(request.user)
            and not request.user.is_verified()
            and _view_name(request) not in OPEN_BEFORE_SECOND_FACTOR
        ):
            if self.is_admin(request):
                target = reverse("accounts_verify")
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{target}?{query}")
            signed_out(request)
        return self.get_response(request)

    def is_admin(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("wagtailadmin_home")
        return request.path_info.startswith(self.admin_prefix)


def signed_out(request):
    anonymous = AnonymousUser()

    async def auser():
        return anonymous

    request.user, request.auser = anonymous, auser
