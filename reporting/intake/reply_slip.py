"""The reply slip: the receipt of a clue staff took by phone, letter, visit or referral,
printed to hand over or post with a reply letter. A4, always in Chinese, whatever language
the staff member reads the admin in: it is for the reporter. Every glyph is drawn with the
CJK TrueType font the posters use (settings.POSTER_FONT_PATH), embedded as a subset, the
digits and letters of the codes included, so any viewer or printer shows the same page."""

import functools
import io
from xml.sax.saxutils import escape  # nosec B406 # escapes text we write; nothing is parsed

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reporting.intake.receipts import format_access_key, format_tracking_number

FONT = "ReplySlipCJK"


@functools.cache
def _register_font():
    # Once per process, on the first slip: parsing the font takes a tenth of a second.
    pdfmetrics.registerFont(
        TTFont(FONT, settings.POSTER_FONT_PATH, subfontIndex=settings.POSTER_FONT_INDEX)
    )


def status_url():
    """The status page's full address, as the reporter types it."""
    with translation.override("zh-hans"):
        return settings.PORTAL_BASE_URL + reverse("reporting:status")


def _style(size, **extra):
    return ParagraphStyle(
        name=f"slip{size}",
        fontName=FONT,
        fontSize=size,
        leading=size * 1.45,
        wordWrap="CJK",
        **extra,
    )


def render(*, tracking_number, access_key, received_at, operator, hotline):
    """The slip's PDF bytes. `received_at`: an aware datetime (the clue's created_at)."""
    _register_font()
    with translation.override("zh-hans"):
        return _render(tracking_number, access_key, received_at, operator, hotline)


def _render(tracking_number, access_key, received_at, operator, hotline):
    title, body, small, code = _style(20, spaceAfter=4 * mm), _style(11), _style(9), _style(16)
    received = formats.date_format(received_at, "DATE_FORMAT")
    url = status_url()
    office = operator or _("The clue review office")
    rows = [
        (_("Tracking number"), format_tracking_number(tracking_number)),
        (_("Access key"), format_access_key(access_key)),
        (_("Date received"), received),
    ]
    table = Table(
        [[Paragraph(escape(name), body), Paragraph(escape(value), code)] for name, value in rows],
        colWidths=[35 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BOX", (0, 0), (-1, -1), 1, "black"),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    paragraphs = [
        _("%(office)s has received the clue you gave us. Keep this slip safe.")
        % {"office": office},
        _(
            "With the tracking number and the access key you can check the clue's status, "
            "answer our questions and add evidence at any time, without giving your name:"
        ),
    ]
    story = [
        Paragraph(escape(_("Receipt of your clue")), title),
        Paragraph(escape(office), body),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(escape(paragraphs[0]), _style(11, spaceAfter=2 * mm)),
        Paragraph(escape(paragraphs[1]), body),
        Spacer(1, 2 * mm),
        Paragraph(escape(url), code),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _(
                    "Anyone who has both codes can read the status of your clue: do not show "
                    "them to anyone, and do not keep them with your name. We cannot tell you "
                    "the access key again; if you lose it, report again and mention this "
                    "tracking number."
                )
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _(
                    "What happens next: the review office checks the clue and, if it is "
                    "accepted, sends it to the unit that verifies it. We aim to confirm it is "
                    "being handled within %(acknowledge)s days of receiving it, and to tell "
                    "you the outcome within %(feedback)s days."
                )
                % {
                    "acknowledge": settings.CLUE_ACKNOWLEDGE_DAYS,
                    "feedback": settings.CLUE_FEEDBACK_DAYS,
                }
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(_("Reporting hotline: %(number)s") % {"number": hotline}),
            _style(14),
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            escape(
                _(
                    "This slip was printed by the office that took your clue. Nothing on it "
                    "names you."
                )
            ),
            small,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=_("Receipt of your clue"),
        author=office,
        # Otherwise the canvas declares Helvetica, a font no viewer is sent.
        initialFontName=FONT,
    )
    document.build(story)
    return buffer.getvalue()
