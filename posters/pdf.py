"""The printable poster: Chinese and English, the QR code, the short URL written out, the
hotline, and the poster's own label in small print. Black on white only, so any office
printer or copy shop reproduces it. Chinese (and the Latin text and "·" mixed with it) is
drawn with the portal's CJK TrueType font, embedded as a subset (portal.pdffonts)."""

import io
import zipfile
from xml.sax.saxutils import escape  # nosec B406 # escapes text we write; nothing is parsed

from django.utils import translation
from django.utils.translation import gettext as _

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from portal import pdffonts
from portal import qr as codes

from . import qr

PAPER = {"a4": A4, "a3": A3}
CJK_FONT = pdffonts.FONT_NAME
LATIN_FONT, LATIN_BOLD, MONO_BOLD = "Helvetica", "Helvetica-Bold", "Courier-Bold"


def paper_size(value):
    value = str(value or "").strip().lower()
    return value if value in PAPER else "a4"


def _texts(language):
    with translation.override(language):
        return {
            "title": _("Report gang crime"),
            "call": _(
                "Scan the code to send a clue. You may stay anonymous; what you send is "
                "encrypted and read only by the review office."
            ),
            "type": _("No camera? Type this address:"),
            "hotline": _("Reporting hotline"),
            "poster": _("Poster"),
        }


def _paragraph(pdf, text, style, x, top, width):
    """Draw wrapped text with its top at `top`; returns the y of its bottom."""
    paragraph = Paragraph(text, style)
    _width, height = paragraph.wrap(width, 10_000)
    paragraph.drawOn(pdf, x, top - height)
    return top - height


def draw_code(pdf, data, left, top, side):
    """The QR code of `data`, `side` points wide with its top left corner at (left, top),
    drawn as vector squares so it prints sharp at any size."""
    codes.draw(pdf, data, qr.DEFAULT_LEVEL, left=left, top=top, side=side)


def label(entry_point, word):
    """The small print that tells posters apart: "Poster CODE · location · campaign"."""
    return " · ".join(
        part
        for part in (
            f"{word} {entry_point.code}",
            entry_point.location,
            entry_point.campaign.name if entry_point.campaign_id else "",
        )
        if part
    )


def render(entry_point, *, short_url, hotline, paper="a4"):
    pdffonts.register_font()
    width, height = PAPER[paper_size(paper)]
    scale = width / A4[0]  # A3 is A4 scaled by the square root of two
    zh, en = _texts("zh-hans"), _texts("en")
    margin = 15 * mm * scale
    inner = width - 2 * margin

    def style(font, size, **extra):
        return ParagraphStyle(
            name=f"{font}{size}",
            fontName=font,
            fontSize=size * scale,
            leading=size * scale * 1.3,
            alignment=TA_CENTER,
            wordWrap="CJK" if font == CJK_FONT else None,
            **extra,
        )

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{zh['title']} / {en['title']} - {entry_point.code}")
    pdf.setFillGray(0)
    pdf.setStrokeGray(0)
    pdf.setLineWidth(2 * scale)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)

    y = height - margin
    y = _paragraph(pdf, escape(zh["title"]), style(CJK_FONT, 48), margin, y, inner)
    y = _paragraph(pdf, escape(en["title"]), style(LATIN_BOLD, 26), margin, y - 4 * mm, inner)
    y = _paragraph(pdf, escape(zh["call"]), style(CJK_FONT, 16), margin, y - 8 * mm, inner)
    y = _paragraph(pdf, escape(en["call"]), style(LATIN_FONT, 12), margin, y - 2 * mm, inner)

    # The code: as large as the space left allows.
    side = min(inner * 0.7, y - 95 * mm * scale)
    left, top = (width - side) / 2, y - 8 * mm * scale
    draw_code(pdf, short_url, left, top, side)
    y = top - side

    typed = f"{escape(zh['type'])} {escape(en['type'])}"
    y = _paragraph(pdf, typed, style(CJK_FONT, 12), margin, y - 4 * mm, inner)
    y = _paragraph(pdf, escape(short_url), style(MONO_BOLD, 20), margin, y - 2 * mm, inner)
    phone = f"{escape(zh['hotline'])} {escape(en['hotline'])}: {escape(hotline)}"
    _paragraph(pdf, phone, style(CJK_FONT, 22), margin, y - 8 * mm, inner)

    paragraph = Paragraph(escape(label(entry_point, zh["poster"])), style(CJK_FONT, 8))
    paragraph.wrap(inner, 10_000)
    paragraph.drawOn(pdf, margin, margin)  # bottom-aligned, inside the frame
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def zip_of(posters):
    """posters: (file name, PDF bytes) pairs -> the bytes of one ZIP file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in posters:
            archive.writestr(name, content)
    return buffer.getvalue()
