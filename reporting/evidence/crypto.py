"""Authenticated encryption of reporter details (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from REPORTER_ENCRYPTION_KEYS, newest first. Every key decrypts; only the first
encrypts, so a new key is put in front, `manage.py rotate_reporter_key` re-encrypts every row,
and the old key is then removed.
"""

import json

from portal.crypto import InvalidToken, keyring

__all__ = ["InvalidToken", "open_bytes", "open_sealed", "rotate", "seal", "seal_bytes"]


def _fernet():
    return keyring()


def seal(data: dict) -> bytes:
    return _fernet().encrypt(json.dumps(data, ensure_ascii=False).encode())


def open_sealed(token: bytes) -> dict:
    return json.loads(_fernet().decrypt(bytes(token)))


def rotate(token: bytes) -> bytes:
    return _fernet().rotate(bytes(token))


def seal_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def open_bytes(token: bytes) -> bytes:
    return _fernet().decrypt(bytes(token))
