"""The CJK TrueType font every printed PDF of the portal draws with (posters, notices,
certificates): settings.POSTER_FONT_PATH, from a Debian font package, embedded as a subset.
reportlab's built-in CID font is not embedded, and viewers that substitute it showed boxes
for "·" and ran English words together."""

import functools

from django.conf import settings

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "PortalCJK"


def load_font():
    """The configured font, parsed by reportlab; raises OSError or reportlab's TTFError when
    it is missing or not a TrueType font (posters.checks reports that at check time)."""
    return TTFont(FONT_NAME, settings.POSTER_FONT_PATH, subfontIndex=settings.POSTER_FONT_INDEX)


@functools.cache
def register_font():
    """Register the font with reportlab and return its name. Once per process, on the first
    PDF: parsing the font takes a tenth of a second and most processes never draw one.
    reportlab embeds only the glyphs a PDF uses."""
    pdfmetrics.registerFont(load_font())
    return FONT_NAME


def missing_characters(text):
    """The characters of `text` the font has no glyph for (they would print as blanks), in
    order, each once. Spaces are never missing."""
    register_font()
    covered = pdfmetrics.getFont(FONT_NAME).face.charToGlyph
    missing = []
    for character in text:
        if not character.isspace() and ord(character) not in covered and character not in missing:
            missing.append(character)
    return missing
