"""The portal's encryption keys: REPORTER_ENCRYPTION_KEYS, newest first (Fernet: AES-128-CBC
with HMAC-SHA256). Every key decrypts; only the first encrypts. Named reporters' details
(reporting) and staff authenticators' secrets (accounts) are sealed with them; each owner has
its command that re-encrypts its rows with the first key, so an old key can then be removed.
"""

from django.conf import settings

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "keyring"]


def keyring():
    return MultiFernet([Fernet(key) for key in settings.REPORTER_ENCRYPTION_KEYS])
