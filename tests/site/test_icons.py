"""The site's icon: /favicon.ico answers with an image at the root, where browsers and
crawlers ask for it, and the raster icons are the drawing of scripts/icons.py."""

import importlib.util
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]


def _icons_script():
    spec = importlib.util.spec_from_file_location("icons", ROOT / "scripts" / "icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_favicon_ico_is_served_at_the_root_as_an_image(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert "max-age=" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    icon = Image.open(io.BytesIO(content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= icon.ico.sizes()


@pytest.mark.django_db
def test_pages_link_the_icons(client, site_tree):
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/favicon.ico" sizes="32x32"' in html
    assert 'type="image/svg+xml"' in html
    assert 'rel="apple-touch-icon"' in html


def test_the_committed_icons_are_the_scripts_drawing():
    """Compared as pixels: another Pillow may compress the same image differently."""
    for path, content in _icons_script().outputs().items():
        drawn = Image.open(io.BytesIO(content)).convert("RGBA")
        committed = Image.open(path).convert("RGBA")
        assert committed.size == drawn.size, path
        difference = ImageChops.difference(committed, drawn).getextrema()
        assert max(high for _low, high in difference) <= 8, path
