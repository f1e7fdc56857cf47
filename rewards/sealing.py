"""Bank details at rest: sealed with the portal's keys (portal.crypto), as a named
reporter's identity is, and opened only on the page of the staff who pay."""

import json

from portal.crypto import keyring


def seal(details: dict) -> bytes:
    return keyring().encrypt(json.dumps(details, ensure_ascii=False).encode())


def open_sealed(token) -> dict:
    return json.loads(keyring().decrypt(bytes(token)))
