import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from portal import qr

from . import twofactor
from .forms import AuthenticatorCodeForm, CodeForm
from .models import SecretUnreadable

logger = logging.getLogger(__name__)
NEW_CODES_SESSION_KEY = "accounts:new-recovery-codes"
QR_PIXELS = 256


def next_url(request):
    """Where to go once the second factor is given: a path on this site, or the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _with_next(url_name, target):
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def _verified(request, device):
    # A new session key once the second factor is given, as at any change of privilege.
    request.session.cycle_key()
    otp_login(request, device)


def _checked(check, *args):
    """The outcome of a code check; a secret none of the keys opens is the administrator's to
    fix (logged, with the cure), not a wrong code the person should try again."""
    try:
        return check(*args)
    except SecretUnreadable as error:
        logger.error("second factor not checked: %s", error)
        return twofactor.Outcome(unreadable=True)


def _wrong_code(form, outcome):
    if outcome.wait_until:
        seconds = max(1, int((outcome.wait_until - timezone.now()).total_seconds()) + 1)
        if seconds >= 60:
            minutes = -(-seconds // 60)
            message = ngettext(
                "Too many wrong codes. Try again in %(count)s minute.",
                "Too many wrong codes. Try again in %(count)s minutes.",
                minutes,
            ) % {"count": minutes}
        else:
            message = ngettext(
                "Too many wrong codes. Try again in %(count)s second.",
                "Too many wrong codes. Try again in %(count)s seconds.",
                seconds,
            ) % {"count": seconds}
        form.add_error("code", message)
        return 429
    if outcome.unreadable:
        form.add_error(
            "code",
            _(
                "Codes cannot be checked at the moment: the portal cannot read the "
                "authenticators' keys. Tell the portal's administrator."
            ),
        )
        return 503
    form.add_error(
        "code",
        _(
            "That code is not right. Type the newest code from the app (check that the "
            "phone's clock is right), or one of your recovery codes."
        ),
    )
    return 400


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    user = request.user
    target = next_url(request)
    if user.is_verified():
        return redirect(target)
    if not twofactor.has_second_factor(user):
        return redirect(_with_next("accounts_enrol", target))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = _checked(twofactor.verify, user, form.cleaned_data["code"])
            if outcome.device is not None:
                _verified(request, outcome.device)
                if isinstance(outcome.device, StaticDevice):
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code: %(count)s is left. Make new ones "
                            "under Account, Two-factor authentication.",
                            "You used a recovery code: %(count)s are left. Make new ones "
                            "under Account, Two-factor authentication.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(target)
            status = _wrong_code(form, outcome)
    context = {"form": form, "next": target}
    return render(request, "accounts/verify.html", context, status=status)


def qr_markup(data):
    """The QR code as inline SVG, drawn here: the secret it carries goes to no other site.
    Low error correction: a screen is not a torn poster, and fewer modules scan sooner."""
    image = qr.svg(data, size=QR_PIXELS, level="L").split("?>", 1)[1].strip()
    label = escape(_("QR code for your authenticator app"))
    return mark_safe(  # nosec B308 B703 # noqa: S308  (modules drawn by portal.qr and an escaped label)
        image.replace("<svg ", f'<svg class="two-factor-qr" role="img" aria-label="{label}" ', 1)
    )


@never_cache
@sensitive_post_parameters("code")
def enrol(request):
    """Set up the authenticator app: at first sign-in, or to replace a phone once signed in."""
    user = request.user
    target = next_url(request)
    if twofactor.has_second_factor(user) and not user.is_verified():
        return redirect(_with_next("accounts_verify", target))
    device = twofactor.pending_authenticator(user)
    form = AuthenticatorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome, codes = twofactor.confirm_authenticator(device, form.cleaned_data["code"])
            if outcome.device is not None:
                _verified(request, outcome.device)
                request.session[NEW_CODES_SESSION_KEY] = codes
                messages.success(request, _("Your authenticator app is set up."))
                return redirect(_with_next("accounts_recovery_codes", target))
            status = _wrong_code(form, outcome)
    context = {
        "form": form,
        "next": target,
        "replacing": twofactor.authenticator(user) is not None,
        "qr": qr_markup(device.config_url),
        "secret": twofactor.secret_for_typing(device),
    }
    return render(request, "accounts/enrol.html", context, status=status)


@never_cache
def recovery_codes(request):
    """New recovery codes, shown once: they are taken out of the session as they are shown."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once. You can make new ones."))
        return redirect("accounts_two_factor")
    context = {
        "codes": [twofactor.format_recovery_code(code) for code in codes],
        "next": next_url(request),
    }
    return render(request, "accounts/recovery_codes.html", context)


@never_cache
def overview(request):
    user = request.user
    context = {
        "authenticator": twofactor.authenticator(user),
        "codes_left": twofactor.recovery_codes_left(user),
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@require_POST
def new_recovery_codes(request):
    request.session[NEW_CODES_SESSION_KEY] = twofactor.new_recovery_codes(request.user)
    return redirect("accounts_recovery_codes")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a refused sign-in, in both languages: the person locked out may
    not read the one the admin picked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    current = get_language()
    languages = sorted(
        (code for code, _name in settings.LANGUAGES), key=lambda code: code != current
    )
    context = {"minutes": minutes, "languages": languages}
    return render(request, "accounts/locked_out.html", context, status=429)
