"""Tracking numbers and access keys: what the reporter keeps to follow a clue up.

A tracking number is 11 random digits and a Damm check digit: digits are easy to type on a
phone keypad, random so numbers reveal nothing about volume or order, and the check digit
catches every single wrong digit and every swap of neighbours. The access key carries 100
random bits in Crockford base32 and is stored only as a salted hash.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from reporting.evidence import crypto
from reporting.models import ReceiptHandoff

DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
TRACKING_LENGTH = 12
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_LENGTH = 20  # 20 x 5 bits = 100 bits
ZERO_WIDTH_SPACE = "\u200b"
# What may stand between a key's groups: typed, printed or copied from the receipt.
SEPARATORS = frozenset(f" -{ZERO_WIDTH_SPACE}")
# Full-width digits and separators typed with a Chinese input method.
_WIDTH = str.maketrans("０１２３４５６７８９－　", "0123456789- ")


def damm_digit(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = DAMM[interim][int(digit)]
    return interim


def new_tracking_number() -> str:
    body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return body + str(damm_digit(body))


def normalize_tracking_number(value: str) -> str | None:
    """The canonical 12 digits, or None when the input cannot be a tracking number."""
    digits = "".join(ch for ch in (value or "").translate(_WIDTH) if ch not in " -")
    if len(digits) != TRACKING_LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    return digits if damm_digit(digits) == 0 else None


def format_tracking_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def new_access_key() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(KEY_LENGTH))


def normalize_access_key(value: str) -> str:
    value = (value or "").translate(_WIDTH).upper()
    value = value.replace("O", "0").replace("I", "1").replace("L", "1")
    return "".join(ch for ch in value if ch not in SEPARATORS)


def format_access_key(key: str) -> str:
    return "-".join(key[i : i + 4] for i in range(0, len(key), 4))


def receipt_access_key(key: str) -> str:
    """The key as the receipt shows it: a line may break after each group's hyphen and
    nowhere else. Without the zero-width space a hyphen before a digit ("ABCD-7XYZ") is no
    break opportunity, so a run of such groups is wider than a phone and the browser breaks
    it inside a group. A key copied from the page keeps the invisible space, and is read
    back without it (normalize_access_key)."""
    return f"-{ZERO_WIDTH_SPACE}".join(key[i : i + 4] for i in range(0, len(key), 4))


def hash_access_key(key: str) -> str:
    """A salted SHA-256 of the key. The key is 100 random bits, not a password a person chose:
    no one can try 2^100 keys against a stolen hash, slow or fast, so a slow hash (scrypt,
    used before) would only make every report and every status check cost tens of
    milliseconds of CPU, an easy lever for anyone flooding the portal."""
    salt = secrets.token_bytes(16)
    digest = hashlib.sha256(salt + key.encode()).hexdigest()
    return f"sha256${salt.hex()}${digest}"


def check_access_key(key: str, stored: str) -> bool:
    key = normalize_access_key(key)
    try:
        kind, *fields = stored.split("$")
        if kind == "sha256":
            salt, digest = fields
            candidate = hashlib.sha256(bytes.fromhex(salt) + key.encode()).hexdigest()
        elif kind == "scrypt":  # clues reported before the change keep their hash
            n, r, p, salt, digest = fields
            candidate = hashlib.scrypt(
                key.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p)
            ).hex()
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, digest)


# How long a receipt waits to be displayed (a slow phone, a double click) before it is gone.
RECEIPT_HANDOFF_LIFETIME = timedelta(minutes=10)
# How long a receipt once displayed can be displayed again to the same browser: its page was
# sent but never arrived (the phone lost its network, the instance that sent it was killed),
# so the browser still holds the signed cookie the page would have deleted, and a reload
# reaches it. A browser that got the page has no cookie left, so for it the receipt is gone.
RECEIPT_REDISPLAY_GRACE = timedelta(minutes=2)


def handoff_digest(submission_token):
    return hmac.new(
        settings.SECRET_KEY.encode(), f"receipt:{submission_token}".encode(), hashlib.sha256
    ).hexdigest()


def take_receipt(submission_token):
    """The receipt of the report sent with this form. The first read marks it shown, in one
    statement; it can be read again for RECEIPT_REDISPLAY_GRACE after that, by whoever holds
    the token (only the reporter's own browser, in a signed cookie the receipt page deletes,
    or a staff member's session, which drops it as it asks), then the periodic checks delete
    it. Deleting it as it was read lost a receipt whose page never reached the reporter."""
    table = connection.ops.quote_name(ReceiptHandoff._meta.db_table)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET shown_at = COALESCE(shown_at, %s) "  # nosec B608 # noqa: S608 (the table's name, quoted)
            "WHERE token_digest = %s AND created_at > %s AND (shown_at IS NULL OR shown_at > %s) "
            "RETURNING sealed",
            [
                adapt(now),
                handoff_digest(submission_token),
                adapt(now - RECEIPT_HANDOFF_LIFETIME),
                adapt(now - RECEIPT_REDISPLAY_GRACE),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else crypto.open_sealed(row[0])


def purge_receipts():
    """Receipts never shown within their lifetime, and those shown longer ago than the grace."""
    now = timezone.now()
    return ReceiptHandoff.objects.filter(
        Q(created_at__lt=now - RECEIPT_HANDOFF_LIFETIME)
        | Q(shown_at__lt=now - RECEIPT_REDISPLAY_GRACE)
    ).delete()[0]
