"""The demo's second factor: every demo account gets an authenticator with one public key, so a
newcomer (or a browser test) can sign in with codes from `manage.py demo_code` or from an app
given the key. The passwords stay random and new on every run, so the public key alone opens
nothing. Never used under production settings."""

import time
from base64 import b32encode

from django_otp.oath import TOTP

from .models import Authenticator

# Spelled out so no one mistakes it for a secret: "DEMO-ONLY-NOT-SECRET" (20 bytes).
DEMO_KEY = b"DEMO-ONLY-NOT-SECRET"
DEMO_DEVICE_NAME = "demo authenticator"
STEP = 30


def demo_key_base32():
    return b32encode(DEMO_KEY).decode()


def give_demo_authenticators(users):
    """An authenticator with the demo key for each user who has none; one set up by hand is
    kept."""
    for user in users:
        if not Authenticator.objects.filter(user=user, confirmed=True).exists():
            Authenticator.objects.create(
                user=user, name=DEMO_DEVICE_NAME, bin_key=DEMO_KEY, confirmed=True
            )


def code(at=None):
    """The demo authenticator's code at a Unix time (now by default)."""
    generator = TOTP(DEMO_KEY, step=STEP)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"


def seconds_left(at=None):
    return STEP - int(time.time() if at is None else at) % STEP
