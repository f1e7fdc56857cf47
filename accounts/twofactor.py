"""The second factor of a staff account: an authenticator app (TOTP, its secret sealed:
accounts.models) and single-use recovery codes, on django-otp's devices. Views call these; the
rules live here.

A user has at most one confirmed authenticator and one set of recovery codes. Enrolling (at
first sign-in, or to replace a lost phone once signed in) creates an unconfirmed authenticator;
the first correct code confirms it, removes any older one and issues new recovery codes.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction

from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .models import Authenticator, SecretUnreadable

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
TOTP_CODE = re.compile(r"\A[0-9]{6}\Z")
# django-otp's static tokens: eight characters of base32, lower case.
RECOVERY_CODE = re.compile(r"\A[a-z2-7]{8}\Z")


def required(user):
    """Every account needs the second factor: citizens have none, so every account is staff."""
    return settings.TWO_FACTOR_REQUIRED and user.is_authenticated


def has_second_factor(user):
    """Any confirmed device, recovery codes included: such an account proves itself with a
    code before it may set up a phone; only an account with none enrols on its password."""
    return user_has_device(user, confirmed=True)


def authenticator(user):
    return Authenticator.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_authenticator(user):
    """The authenticator being set up: the same one on every visit until it is confirmed, so a
    page reloaded after scanning still matches the phone."""
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is not None:
        try:
            device.bin_key  # noqa: B018  (opening it is the check)
        except SecretUnreadable:
            # Sealed with a key since removed: nothing is lost with a secret not yet in use.
            device.delete()
            device = None
    if device is None:
        device = Authenticator.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_for_typing(device):
    """The key in base32, in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise(code):
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass
class Outcome:
    device: object = None
    wait_until: datetime | None = None
    # A secret that none of the portal's keys opens (accounts.models.SecretUnreadable).
    unreadable: bool = False


@transaction.atomic
def confirm_authenticator(device, code):
    """Confirm the pending authenticator with a code from the phone. On success the older
    authenticator is removed and new recovery codes are returned with the device."""
    device = Authenticator.objects.select_for_update().get(pk=device.pk)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Outcome(wait_until=info.get("locked_until")), []
    code = normalise(code)
    if not TOTP_CODE.match(code) or not device.verify_token(code):
        return Outcome(), []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    Authenticator.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return Outcome(device=device), new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace the user's recovery codes; the new ones are returned to be shown once."""
    StaticDevice.objects.filter(user=user).exclude(name=RECOVERY_NAME).delete()
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def format_recovery_code(code):
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def verify(user, code):
    """The device that accepts this code: six digits go to the authenticator, anything else
    to the recovery codes (a matching one is used up). Each device makes the next attempt
    wait longer after every wrong code; while it waits, `wait_until` says until when."""
    code = normalise(code)
    if TOTP_CODE.match(code):
        devices = Authenticator.objects.devices_for_user(user, confirmed=True)
    elif RECOVERY_CODE.match(code):
        devices = StaticDevice.objects.devices_for_user(user, confirmed=True)
    else:
        return Outcome()
    wait_until = None
    for device in devices.select_for_update().order_by("pk"):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait_until = info.get("locked_until")
            continue
        if device.verify_token(code):
            return Outcome(device=device)
    return Outcome(wait_until=wait_until)


@transaction.atomic
def reset(user):
    """Remove every second-factor device of the user: they enrol again at their next sign-in.
    For a lost phone and lost recovery codes, after the person has been identified."""
    Authenticator.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
