import io

import pytest
import zxingcpp
from PIL import Image, ImageDraw

import reporting.demo
from posters.models import EntryPoint
from tests.fugitives.conftest import demo  # noqa: F401 (fixture)
from tests.reporting.conftest import report_page, staff, valid_data  # noqa: F401 (fixtures)


@pytest.fixture
def entry_point(site_tree):
    reporting.demo.load()
    return EntryPoint.objects.create(name="菜市场", location="路北区某菜市场东门")


def decode(image):
    """Every QR code zxing finds in a PIL image, as text."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


def decode_png(content):
    return decode(Image.open(io.BytesIO(content)))


def rasterise_svg(svg_text, pixels_per_module=8):
    """Draw the unit squares of our SVG's path with Pillow, to decode what the SVG holds."""
    import re

    count = int(re.search(r'viewBox="0 0 (\d+) \1"', svg_text).group(1))
    image = Image.new("L", (count * pixels_per_module,) * 2, 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path d="([^"]*)"', svg_text).group(1)
    for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", path):
        left, top = int(x) * pixels_per_module, int(y) * pixels_per_module
        draw.rectangle(
            [left, top, left + pixels_per_module - 1, top + pixels_per_module - 1], fill=0
        )
    return image
