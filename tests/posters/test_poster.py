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
