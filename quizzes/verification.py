"""Checking a certificate's code: the form that reads a typed code, each client's allowance
of checks, and what the page shows of a genuine certificate (what the certificate itself
prints, nothing more)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.clients import within_limit

from . import certificate
from .services import CERTIFICATE_ALPHABET, CERTIFICATE_LENGTH, format_code, normalise_code

# Enough for an employer checking a pile of certificates; too few to find valid codes by
# guessing (there are 32^10 codes).
LOOKUP_LIMIT = 60
LOOKUP_WINDOW_SECONDS = 10 * 60
# Room for a code typed with spaces, dashes or a label around it; more is not a code.
CODE_MAX_LENGTH = 40


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Certificate code"),
        max_length=CODE_MAX_LENGTH,
        help_text=gettext_lazy(
            "As printed beside the QR code on the certificate, e.g. ABCDE-23456. Spaces, "
            "dashes and small letters do not matter."
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CERTIFICATE_LENGTH or any(c not in CERTIFICATE_ALPHABET for c in code):
            raise ValidationError(
                _(
                    "A certificate code has ten letters and digits, e.g. ABCDE-23456. Check "
                    "what you typed against the certificate."
                )
            )
        return code


def take_lookup(request):
    """Count one check from this client; False once it has used its allowance for the
    window. The client's address is kept only as a keyed digest, in the cache."""
    return within_limit(request, "quiz-certificate", LOOKUP_LIMIT, LOOKUP_WINDOW_SECONDS)


def refusal():
    return _(
        "Too many certificate checks from your connection. Please try again in %(minutes)s "
        "minutes."
    ) % {"minutes": LOOKUP_WINDOW_SECONDS // 60}


@dataclass
class Genuine:
    code: str
    name: str
    competition: str
    finished_on: datetime.date  # in settings.TIME_ZONE
    score: int
    total: int
    province: str


def genuine(attempt):
    """What the page confirms of a certificate, as the certificate prints it (the
    competition's Chinese title included); the province in the reader's language. Valid
    whether or not an editor hid the attempt from the leaderboard."""
    return Genuine(
        code=format_code(attempt.certificate_code),
        name=attempt.display_name,
        competition=certificate.competition_title(attempt),
        finished_on=certificate.finished_on(attempt),
        score=attempt.score,
        total=attempt.total,
        province=attempt.region.label if attempt.region_id else "",
    )
