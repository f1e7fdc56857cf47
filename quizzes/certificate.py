"""The certificate of a competition attempt that earned one: A4 landscape, always in Chinese
(it is shown to a school or a work unit, whatever language the participant reads the site
in), black and grey only so any office printer reproduces it. It holds the participant's
chosen display name and nothing else of theirs but the province they gave, and a code with
its QR code that the portal's verification page confirms."""

import datetime
import io
from xml.sax.saxutils import escape  # nosec B406 # escapes text we write; nothing is parsed
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph

from portal import pdffonts, qr

from .models import Attempt
from .services import format_code

LANGUAGE = "zh-hans"
# M keeps the code readable with a seventh of it smudged, and the URL's modules large
# enough for a phone at arm's length on a code 30 mm wide.
QR_LEVEL = "M"


def for_session(attempt_id, quiz_id):
    """The attempt whose certificate this browser may download: its own latest attempt at
    the quiz (progress.current), finished and carrying a code; None for anything else, so
    no other attempt's certificate can be had by guessing."""
    if not attempt_id:
        return None
    try:
        attempt_id = Attempt._meta.pk.to_python(attempt_id)
    except ValidationError:  # a session value that is no UUID
        return None
    return (
        Attempt.objects.select_related("quiz", "region")
        .filter(
            pk=attempt_id,
            quiz_id=quiz_id,
            finished_at__isnull=False,
            certificate_code__isnull=False,
        )
        .first()
    )


def verify_url(code):
    """The verification page's full address with the code filled in, as the QR code holds
    it: on the Chinese page, like the certificate."""
    with translation.override(LANGUAGE):
        path = reverse("quizzes:verify")
    return f"{settings.PORTAL_BASE_URL}{path}?{urlencode({'code': format_code(code)})}"


def competition_title(attempt):
    """The competition as the attempt's certificate names it: the title kept when it was
    issued, so a later rename or deletion of the page changes nothing."""
    if attempt.certificate_title:
        return attempt.certificate_title
    return attempt.quiz.chinese_title() if attempt.quiz else ""


def finished_on(attempt):
    """The day the attempt finished where the portal is run (settings.TIME_ZONE)."""
    return timezone.localtime(attempt.finished_at, ZoneInfo(settings.TIME_ZONE)).date()


def chinese_date(day: datetime.date):
    return f"{day.year}年{day.month}月{day.day}日"


def render(attempt, verify_url, issuer=""):
    """The certificate's PDF bytes. `issuer`: who awards it (the site's operator, 主办单位);
    the site's name when empty."""
    font = pdffonts.register_font()
    with translation.override(LANGUAGE):
        return _render(attempt, verify_url, issuer or settings.WAGTAIL_SITE_NAME, font)


def _style(font, size, alignment=TA_CENTER, **extra):
    return ParagraphStyle(
        name=f"certificate{size}{alignment}",
        fontName=font,
        fontSize=size,
        leading=size * 1.4,
        alignment=alignment,
        **{"wordWrap": "CJK", **extra},
    )


def _draw(page, text, style, x, top, width):
    """Wrapped text with its top at `top`; returns the y of its bottom."""
    paragraph = Paragraph(text, style)
    _width, height = paragraph.wrap(width, 10_000)
    paragraph.drawOn(page, x, top - height)
    return top - height


def _render(attempt, url, issuer, font):
    width, height = landscape(A4)
    margin = 14 * mm
    code = format_code(attempt.certificate_code)
    buffer = io.BytesIO()
    # The initial font too: else the page names a Helvetica that is never drawn nor embedded.
    page = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1, initialFontName=font)
    page.setTitle(f"{_('Certificate of achievement')} {code}")

    # Two frames: a broad grey one and a thin black one inside it.
    page.setStrokeGray(0.55)
    page.setLineWidth(5)
    page.rect(margin / 2, margin / 2, width - margin, height - margin)
    page.setStrokeGray(0)
    page.setLineWidth(0.8)
    page.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    page.setFillGray(0)

    inner_left, inner = 2 * margin, width - 4 * margin
    top = height - 2 * margin
    top = _draw(
        page, escape(_("Certificate of achievement")), _style(font, 40), inner_left, top, inner
    )
    top -= 14 * mm

    # The name, the province, and what the participant did, shrunk to fit whatever the length
    # of the competition's title; the bottom band keeps its place.
    band_top = margin + 50 * mm
    story = [Paragraph(escape(attempt.display_name), _style(font, 32, spaceAfter=3 * mm))]
    if attempt.region_id:
        province = _("Province: %(province)s") % {"province": attempt.region.name}
        story.append(Paragraph(escape(province), _style(font, 13, textColor="#555555")))
    achievement = _(
        "took part in “%(competition)s” and answered %(score)s / %(total)s questions "
        "correctly, passing it."
    ) % {
        "competition": competition_title(attempt),
        "score": attempt.score,
        "total": attempt.total,
    }
    story.append(Paragraph(escape(achievement), _style(font, 18, spaceBefore=10 * mm)))
    story.append(
        Paragraph(escape(_("This certificate is awarded in recognition.")), _style(font, 18))
    )
    box_height = top - band_top
    Frame(
        inner_left + 10 * mm,
        band_top,
        inner - 20 * mm,
        box_height,
        showBoundary=0,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    ).addFromList([KeepInFrame(inner - 20 * mm, box_height, story, mode="shrink")], page)

    # The bottom band: the QR code and the written code on the left, the issuer and the date
    # on the right, where a seal would go.
    side = 32 * mm
    band_bottom = margin + 8 * mm
    qr.draw(page, url, QR_LEVEL, left=inner_left, top=band_bottom + side, side=side)
    text_left = inner_left + side + 5 * mm
    text_width = inner / 2 - side
    small = _style(font, 9, TA_LEFT, textColor="#444444")
    # The address on a line of its own, broken only where it must be: typed from paper.
    address = _style(font, 9, TA_LEFT, textColor="#444444", wordWrap=None, splitLongWords=1)
    lines = [
        (escape(_("Certificate code: %(code)s") % {"code": code}), _style(font, 13, TA_LEFT)),
        (escape(_("To verify it, scan the code or enter the certificate code at:")), small),
        (escape(url.split("?", 1)[0]), address),
    ]
    y = band_bottom + side - 4 * mm
    for text, style in lines:
        y = _draw(page, text, style, text_left, y, text_width) - 1.5 * mm

    right = _style(font, 15, TA_RIGHT)
    y = band_bottom + 24 * mm
    y = _draw(page, escape(issuer), right, width / 2, y, inner / 2)
    _draw(
        page, escape(chinese_date(finished_on(attempt))), right, width / 2, y - 2 * mm, inner / 2
    )
    page.showPage()
    page.save()
    return buffer.getvalue()
