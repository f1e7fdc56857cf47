import base64
import hashlib
import hmac
import re
import struct
import time

from django.urls import reverse

import pytest

from portal.factories import UserFactory
from tests.conftest import StaffClient
from tests.reporting.conftest import staff  # noqa: F401  (fixture)

PASSWORD = "correct horse battery staple"


def totp(secret_base32, at=None, step=30, digits=6):
    """RFC 6238, written out here so the test checks what an authenticator app computes."""
    secret = secret_base32.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


@pytest.fixture
def member(db):
    """A staff member with a password and admin access, and no second factor yet."""
    user = UserFactory(username="reviewer", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password=PASSWORD, address="198.51.100.7", **extra):
    """The password step, through the admin's sign-in page."""
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password, "next": reverse("wagtailadmin_home")},
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.fixture
def browser():
    """A client that has not passed any step."""
    return StaffClient()


def inline_scripts(html):
    """Executable <script> elements without a src, and inline event handlers."""
    scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    handlers = re.findall(r"<[^>]+\son[a-z]+\s*=", html)
    return scripts + handlers
