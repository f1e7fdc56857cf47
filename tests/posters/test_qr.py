"""The QR images hold exactly the poster's short URL, whatever the size, error-correction
level or Host header of the request."""

import io

import pytest
from PIL import Image

from .conftest import decode, decode_png, rasterise_svg

pytestmark = pytest.mark.django_db
EXPECTED = "https://portal.example.test/r/{code}/"


@pytest.mark.parametrize("ecc", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("size", [100, 300, 1200])
def test_png_decodes_to_the_short_url(client, entry_point, size, ecc):
    response = client.get(f"/r/{entry_point.code}/qr.png?size={size}&ecc={ecc}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert decode_png(response.content) == [EXPECTED.format(code=entry_point.code)]


@pytest.mark.parametrize("ecc", ["L", "H"])
def test_svg_decodes_to_the_short_url(client, entry_point, ecc):
    response = client.get(f"/r/{entry_point.code}/qr.svg?ecc={ecc}")
    assert response["Content-Type"] == "image/svg+xml"
    image = rasterise_svg(response.content.decode())
    assert decode(image) == [EXPECTED.format(code=entry_point.code)]


def test_a_forged_host_header_does_not_change_the_code(client, entry_point):
    honest = client.get(f"/r/{entry_point.code}/qr.png")
    forged = client.get(
        f"/r/{entry_point.code}/qr.png",
        HTTP_HOST="localhost",
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_PROTO="http",
    )
    assert forged.content == honest.content
    assert decode_png(forged.content) == [EXPECTED.format(code=entry_point.code)]


@pytest.mark.parametrize(
    "query",
    ["size=abc&ecc=Z", "size=-5", "size=99999999999999999999", "ecc=%01", "size=1e3", "size="],
)
def test_nonsense_parameters_fall_back_to_defaults(client, entry_point, query):
    response = client.get(f"/r/{entry_point.code}/qr.png?{query}")
    assert response.status_code == 200
    width = Image.open(io.BytesIO(response.content)).width
    assert 100 <= width < 4000 + 200  # within bounds, give or take a module's width
    assert decode_png(response.content) == [EXPECTED.format(code=entry_point.code)]


def test_images_are_cached_long_and_revalidated_by_etag(client, entry_point):
    url = f"/r/{entry_point.code}/qr.svg?size=200"
    first = client.get(url)
    assert "max-age=2592000" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other_size = client.get(f"/r/{entry_point.code}/qr.svg?size=400")
    assert other_size["ETag"] != first["ETag"]


def test_the_code_follows_the_configured_origin(client, entry_point, settings):
    settings.PORTAL_BASE_URL = "https://another.example.test"
    response = client.get(f"/r/{entry_point.code}/qr.png")
    assert decode_png(response.content) == [f"https://another.example.test/r/{entry_point.code}/"]


def test_unknown_codes_have_no_image(client, entry_point):
    assert client.get("/r/NOSUCH/qr.png").status_code == 404
    assert client.get("/r/NOSUCH/qr.svg").status_code == 404
    assert client.get("/r/NOSUCH/poster.pdf").status_code == 404
    # A NUL was an error on PostgreSQL, which refuses it in a query: refused before.
    assert client.get("/r/%00/qr.png").status_code == 400
    assert client.get("/r/AB%00/poster.pdf").status_code == 400
