"""The poster PDF: rendered to an image, its QR code decodes to the short URL and its text
holds the Chinese and English titles, the short URL, the hotline and the location label.
It is black and white only."""

import pypdfium2
import pytest
from reportlab.lib.pagesizes import A3, A4

from .conftest import decode

pytestmark = pytest.mark.django_db


def open_pdf(content):
    document = pypdfium2.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=2).to_pil()
    size = page.get_size()
    page.close()
    document.close()
    return text, image, size


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("a3", A3), ("A3", A3), ("b9", A4)])
def test_the_poster_holds_everything_a_passer_by_needs(client, entry_point, paper, size):
    response = client.get(f"/r/{entry_point.code}/poster.pdf?paper={paper}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, image, page_size = open_pdf(response.content)
    assert page_size == pytest.approx(size, abs=1)
    short_url = f"https://portal.example.test/r/{entry_point.code}/"
    assert decode(image) == [short_url]
    flat = text.replace("\r", "").replace("\n", "")
    for expected in ("扫黑除恶", "Report gang crime", short_url, "12337", "路北区某菜市场东门"):
        assert expected in flat, expected
    assert entry_point.code in flat


def test_the_poster_is_black_and_white(client, entry_point):
    _text, image, _size = open_pdf(client.get(f"/r/{entry_point.code}/poster.pdf").content)
    red, green, blue = image.convert("RGB").split()
    # Grey levels only: no colour a black-and-white printer would have to guess.
    assert red.tobytes() == green.tobytes() == blue.tobytes()


def test_the_poster_shows_the_site_hotline(client, entry_point, site_tree):
    from portal.models import PortalSettings

    settings = PortalSettings.for_site(site_tree["site"])
    settings.hotline = "0315-1234567"
    settings.save()
    text, _image, _size = open_pdf(client.get(f"/r/{entry_point.code}/poster.pdf").content)
    assert "0315-1234567" in text


def test_a_long_location_wraps_instead_of_running_off_the_page(client, entry_point):
    entry_point.location = "唐山市路北区某街道某社区某小区南门对面菜市场东门公告栏" * 6
    entry_point.save()
    text, image, _size = open_pdf(client.get(f"/r/{entry_point.code}/poster.pdf").content)
    assert decode(image)  # the code is still readable
    assert text.replace("\r\n", "").count("公告栏") == 6


def _fonts_drawing(content, snippets):
    """For each snippet, the base font name and the embedded flag of the font that draws the
    first character of its first occurrence on the page (PDFium's own reading of the PDF)."""
    import ctypes

    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(content)
    page = document[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    found = {}
    for snippet in snippets:
        font = raw.FPDFTextObj_GetFont(
            raw.FPDFText_GetTextObject(textpage.raw, text.index(snippet))
        )
        size = raw.FPDFFont_GetBaseFontName(font, None, 0)
        name = ctypes.create_string_buffer(size)
        raw.FPDFFont_GetBaseFontName(font, name, size)
        found[snippet] = (name.value.decode(), bool(raw.FPDFFont_GetIsEmbedded(font)))
    textpage.close()
    page.close()
    document.close()
    return found


def test_the_chinese_font_is_embedded_as_a_subset(client, entry_point):
    import io

    from pypdf import PdfReader

    content = client.get(f"/r/{entry_point.code}/poster.pdf").content
    fonts = PdfReader(io.BytesIO(content)).pages[0]["/Resources"]["/Font"]
    embedded = {}
    for reference in fonts.values():
        font = reference.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            program = descriptor.get_object()["/FontFile2"].get_object().get_data()
            embedded[str(font["/BaseFont"])] = len(program)
    assert any("WenQuanYi" in name for name in embedded), fonts
    # A subset: the glyphs the poster uses, not the whole 5 MB font.
    assert all(size < 500_000 for size in embedded.values()), embedded


def test_small_print_and_mixed_lines_are_drawn_with_the_embedded_font(client, entry_point):
    entry_point.location = "路北区某菜市场东门"
    entry_point.save()
    content = client.get(f"/r/{entry_point.code}/poster.pdf").content
    # "·" joins the small print's parts; English words share the Chinese lines of the typed
    # address and of the hotline. The built-in CID font drew them with a font the PDF did
    # not carry.
    snippets = ["·", "No camera?", "Reporting hotline", "扫", f"{entry_point.code} ·"]
    for snippet, (name, embedded) in _fonts_drawing(content, snippets).items():
        assert "WenQuanYi" in name and embedded, (snippet, name, embedded)
    text, image, _size = open_pdf(content)
    assert decode(image) == [f"https://portal.example.test/r/{entry_point.code}/"]
    assert "无法扫码" in text and "No camera? Type this address:" in text


def test_a_missing_poster_font_fails_the_system_check(settings):
    from posters.checks import poster_font_is_usable

    assert poster_font_is_usable(None) == []
    settings.POSTER_FONT_PATH = "/nonexistent/font.ttc"
    errors = poster_font_is_usable(None)
    assert [error.id for error in errors] == ["posters.E001"]
    assert "fonts-wqy-microhei" in errors[0].hint
