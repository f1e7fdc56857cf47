"""Checks against automated reports: the form's signed issue time and a captcha field
checked in one statement."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone

from captcha.fields import CaptchaField
from captcha.models import CaptchaStore

# The form carries the time it was issued, signed and bound to its submission token: a script
# that posts at once, or invents or reuses a stamp, is refused; a person never notices.
STAMP_SALT = "reporting.report-form.issued"


def issue_stamp(token, at=None):
    """The signed time a form for this token was issued (`at`, seconds since the epoch)."""
    issued = int(time.time() if at is None else at)
    return signing.Signer(salt=STAMP_SALT).sign(f"{issued}:{token}")


def stamp_age(stamp, token, now=None):
    """Seconds since the form was issued, or None for a stamp that is not ours for this
    token (forged, altered, from another form, or signed with a key no longer in use)."""
    try:
        payload = signing.Signer(salt=STAMP_SALT).unsign(stamp or "")
    except signing.BadSignature:
        return None
    issued, _sep, stamped_token = payload.partition(":")
    if not issued.isdigit() or stamped_token != token:
        return None
    return (time.time() if now is None else now) - int(issued)


def stamp_is_fresh(stamp, token):
    age = stamp_age(stamp, token)
    return age is not None and age <= settings.REPORT_FORM_MAX_AGE_HOURS * 3600


class OneQueryCaptchaField(CaptchaField):
    """django-simple-captcha's field, checked in one statement: the answer's row is deleted
    and returned together with every expired row (the library's own check takes seven
    queries and two transactions). As there, a picture can be tried once only, right or
    wrong, and an expired one never passes. On PostgreSQL the rows are in an unlogged table
    (reporting/migrations/0031_captcha_unlogged.py), so neither the challenge written with
    the form nor this check waits for the disk."""

    def clean(self, value):
        forms.MultiValueField.clean(self, value)
        response, value[1] = (value[1] or "").strip().lower(), ""
        table = connection.ops.quote_name(CaptchaStore._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE hashkey = %s OR expiration <= %s "  # nosec B608 # noqa: S608 (the table's name, quoted)
                "RETURNING hashkey, response, expiration > %s",
                [value[0], now, now],
            )
            rows = cursor.fetchall()
        answers = [answer for key, answer, fresh in rows if key == value[0] and fresh]
        if not answers or answers[0] != response:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value
