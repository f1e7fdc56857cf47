"""The printable poster of a wanted notice (通缉令, or 悬赏通告 when a reward is offered): the
portrait, the person's details with the identity number masked, the offence, the reward,
what to do on seeing the person, the surrender policy, the issuing authority and date, the
QR code of the poster's own entry point with its short URL, and the poster's label in small
print. In the notice's own language, with the same embedded font as every poster (portal.pdffonts),
in grey levels only. Whatever the length of the texts, the body shrinks to fit its box: the
code and the small print keep their place and size."""

import io
from xml.sax.saxutils import escape  # nosec B406 # escapes text we write; nothing is parsed

from django.utils import formats, translation
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _

from PIL import Image as PillowImage
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, Image, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from portal import pdffonts

from . import pdf
from .notices import check_printable, notice_of

PORTRAIT_PIXELS = (600, 800)


def title(notice):
    return _("Reward notice") if notice.reward_yuan else _("Wanted notice")


def _portrait(notice, width):
    """The portrait in grey levels, at most PORTRAIT_PIXELS: a photo print resolution at the
    size drawn, a PDF that stays small."""
    with notice.portrait.file.open("rb") as source:
        picture = PillowImage.open(source)
        picture.load()
    picture = picture.convert("L")
    picture.thumbnail(PORTRAIT_PIXELS)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    buffer.seek(0)
    return Image(buffer, width=width, height=width * picture.height / picture.width)


def _lines(text):
    return escape(normalize_newlines(text).strip()).replace("\n", "<br/>")


def any_poster(entry_point, *, short_url, hotline, paper="a4"):
    """The poster of any entry point: the notice's own for one that opens a wanted notice
    (raising notices.NotPrintable once it is no longer wanted), the reporting poster else."""
    notice = notice_of(entry_point)
    if notice is not None:
        return render(entry_point, notice, short_url=short_url, paper=paper)
    return pdf.render(entry_point, short_url=short_url, hotline=hotline, paper=paper)


def render(entry_point, notice, *, short_url, paper="a4"):
    """The poster's PDF bytes; raises notices.NotPrintable for a notice no longer wanted."""
    check_printable(notice)
    pdffonts.register_font()
    language = notice.locale.language_code
    with translation.override(language):
        return _render(entry_point, notice, short_url, paper, chinese=language.startswith("zh"))


def _render(entry_point, notice, short_url, paper, chinese):
    width, height = pdf.PAPER[pdf.paper_size(paper)]
    scale = width / A4[0]
    margin = 15 * mm * scale
    inner = width - 2 * margin

    def style(size, **extra):
        return ParagraphStyle(
            name=f"notice{size}{sorted(extra.items())}",
            fontName=pdf.CJK_FONT,
            bulletFontName=pdf.CJK_FONT,
            fontSize=size * scale,
            leading=size * scale * 1.35,
            wordWrap="CJK" if chinese else None,
            **extra,
        )

    body, heading, small = style(13), style(14, spaceBefore=3 * mm * scale), style(8)
    label = style(12)

    buffer = io.BytesIO()
    # The initial font too: else the page names a Helvetica that is never drawn nor embedded.
    page = canvas.Canvas(
        buffer, pagesize=(width, height), pageCompression=1, initialFontName=pdf.CJK_FONT
    )
    page.setTitle(f"{title(notice)} - {notice.person} - {entry_point.code}")
    page.setFillGray(0)
    page.setStrokeGray(0)
    page.setLineWidth(2 * scale)
    page.rect(margin / 2, margin / 2, width - margin, height - margin)

    top = height - margin
    top = pdf._paragraph(
        page, escape(title(notice)), style(44, alignment=TA_CENTER), margin, top, inner
    )

    # The bottom band: the code on the left with its address under it, the call on the right.
    small_print = Paragraph(escape(pdf.label(entry_point, _("Poster"))), small)
    _w, small_height = small_print.wrap(inner, 10_000)
    small_print.drawOn(page, margin, margin)
    side = 48 * mm * scale
    band_bottom = margin + small_height + 2 * mm * scale
    # The address under the code, as wide as the code and the gap beside it.
    address = Paragraph(escape(short_url), style(8, alignment=TA_CENTER))
    _w, address_height = address.wrap(side + 8 * mm * scale, 10_000)
    address.drawOn(page, margin, band_bottom)
    code_top = band_bottom + address_height + 1 * mm * scale + side
    pdf.draw_code(page, short_url, margin + 4 * mm * scale, code_top, side)
    call = [
        Paragraph(escape(_("Scan the code to see this notice and report a sighting.")), style(14))
    ]
    call.append(Paragraph(escape(_("You may stay anonymous.")), body))
    if notice.contact_phone:
        call.append(
            Paragraph(escape(_("Or call: %(phone)s") % {"phone": notice.contact_phone}), style(18))
        )
    call_left = margin + side + 14 * mm * scale
    Frame(
        call_left,
        band_bottom,
        width - margin - call_left,
        code_top - band_bottom,
        showBoundary=0,
        leftPadding=0,
        rightPadding=0,
    ).addFromList([KeepInFrame(width - margin - call_left, code_top - band_bottom, call)], page)

    # The notice itself, between the title and the band.
    story = [_person(notice, inner, scale, body, label), Spacer(1, 2 * mm * scale)]
    if notice.description:
        # Full width under the portrait: the longest text of a notice, up to 1,000 characters.
        story.append(Paragraph(escape(_("Appearance and habits")), heading))
        story.append(Paragraph(_lines(notice.description), body))
    story += [
        Paragraph(escape(_("The offence")), heading),
        Paragraph(escape(notice.offence), body),
    ]
    if notice.reward_yuan:
        amount = formats.number_format(notice.reward_yuan, 0, force_grouping=True)
        story.append(Paragraph(escape(_("Reward offered")), heading))
        story.append(Paragraph(escape(_("Up to %(amount)s yuan.") % {"amount": amount}), body))
        if notice.reward_rules:
            story.append(Paragraph(_lines(notice.reward_rules), body))
    story.append(Paragraph(escape(_("If you see this person")), heading))
    if notice.contact_phone:
        report = _(
            "Report what you saw at once: scan the code below or call %(phone)s. You may stay "
            "anonymous."
        ) % {"phone": notice.contact_phone}
    else:
        report = _("Report what you saw at once: scan the code below. You may stay anonymous.")
    story.append(
        Paragraph(
            escape(_("Do not approach them or try to stop them yourself.") + " " + report), body
        )
    )
    if notice.surrender_policy or notice.surrender_address or notice.surrender_phone:
        story.append(Paragraph(escape(_("Giving yourself up")), heading))
        if notice.surrender_policy:
            story.append(Paragraph(_lines(strip_tags(notice.surrender_policy)), body))
        if notice.surrender_address:
            story.append(Paragraph(escape(f"{_('Where:')} {notice.surrender_address}"), body))
        if notice.surrender_phone:
            story.append(Paragraph(escape(f"{_('Phone:')} {notice.surrender_phone}"), body))
    issued = formats.date_format(notice.issued_on, "DATE_FORMAT")
    story.append(Spacer(1, 4 * mm * scale))
    story.append(Paragraph(escape(notice.issuing_authority), style(14, alignment=TA_RIGHT)))
    story.append(Paragraph(escape(issued), style(12, alignment=TA_RIGHT)))

    box_bottom = code_top + 4 * mm * scale
    box_height = top - 4 * mm * scale - box_bottom
    Frame(
        margin, box_bottom, inner, box_height, showBoundary=0, leftPadding=0, rightPadding=0
    ).addFromList([KeepInFrame(inner, box_height, story, mode="shrink")], page)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _person(notice, inner, scale, body, label_style):
    """The portrait beside the facts that identify the person; the identity number masked."""
    facts = [
        (_("Name"), notice.person),
        (_("Aliases"), notice.other_names),
        (_("Sex"), notice.get_sex_display() if notice.sex else ""),
        (_("Year of birth"), str(notice.birth_year) if notice.birth_year else ""),
        (_("Height (cm)"), str(notice.height_cm) if notice.height_cm else ""),
        (_("Identity number"), notice.masked_identity_number),
        (_("Native place"), notice.native_place),
    ]
    portrait_width = 55 * mm * scale
    label_width = 36 * mm * scale
    value_width = inner - portrait_width - label_width - 6 * mm * scale
    rows = [
        [Paragraph(escape(label), label_style), Paragraph(_lines(value), body)]
        for label, value in facts
        if value
    ]
    table = Table(rows, colWidths=[label_width, value_width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.CJK_FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1 * mm * scale),
            ]
        )
    )
    outer = Table(
        [[_portrait(notice, portrait_width), table]],
        colWidths=[portrait_width + 6 * mm * scale, label_width + value_width],
    )
    outer.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.CJK_FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer
