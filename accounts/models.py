"""A staff member's authenticator app: django-otp's TOTP device, with its secret sealed with
the portal's keys (portal.crypto) instead of kept in clear, so a copy of the database or of a
back-up does not carry what generates every staff member's codes.

django-otp's own TOTP plugin keeps the key as hex in its table; this model takes its place
(the plugin is no longer installed, and migration 0002 moved its devices here, sealed). The
throttling, the last-used time and the device API are django-otp's mixins; verification
follows the plugin's, so a code is accepted once, within one step of drift either way.
"""

import secrets
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from portal.crypto import InvalidToken, keyring

KEY_BYTES = 20
# Written on every code checked; the sealed secret is not, so a check never writes back a
# ciphertext that a rotation has just replaced.
THROTTLE_FIELDS = ["throttling_failure_timestamp", "throttling_failure_count"]


class SecretUnreadable(ImproperlyConfigured):
    """A sealed secret that none of REPORTER_ENCRYPTION_KEYS opens: a key was removed before
    `rotate_totp_key` re-encrypted the authenticators, or the keys were replaced."""

    def __init__(self):
        super().__init__(
            "An authenticator's secret cannot be decrypted with REPORTER_ENCRYPTION_KEYS: "
            "put the key it was encrypted with back (after the newest one), restart, and run "
            "`manage.py rotate_totp_key` before removing old keys."
        )


def seal_secret(secret):
    return keyring().encrypt(bytes(secret))


def new_sealed_secret():
    return seal_secret(secrets.token_bytes(KEY_BYTES))


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    sealed_secret = models.BinaryField(default=new_sealed_secret, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    # Steps of clock difference accepted either way, and the difference last seen.
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The step of the last accepted code: only a later step's code is accepted next.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator"

    @property
    def bin_key(self):
        """The secret, opened with the portal's keys."""
        try:
            return keyring().decrypt(bytes(self.sealed_secret))
        except InvalidToken:
            raise SecretUnreadable() from None

    @bin_key.setter
    def bin_key(self, secret):
        self.sealed_secret = seal_secret(secret)

    def rotate_secret(self):
        """Seal the secret again with the newest key (the ciphertext changes, the secret not)."""
        try:
            self.sealed_secret = keyring().rotate(bytes(self.sealed_secret))
        except InvalidToken:
            raise SecretUnreadable() from None

    def verify_token(self, token):
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            token = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(token, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save(update_fields=[*THROTTLE_FIELDS, "last_t", "drift", "last_used_at"])
        if not verified:
            self.throttle_increment(commit=False)
            self.save(update_fields=THROTTLE_FIELDS)
        return verified

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self):
        """The otpauth:// address an authenticator app reads from the QR code (Google's Key
        URI format), with OTP_TOTP_ISSUER as the issuer."""
        label = str(self.user.get_username())
        params = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "")
        if issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"
