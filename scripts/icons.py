#!/usr/bin/env python
"""Draw the raster icons from the shield of static/img/favicon.svg, with Pillow only:

    .venv/bin/python scripts/icons.py   # write static/root/favicon.ico and the PNG

Browsers and crawlers ask for /favicon.ico whatever the page links, and iOS wants a PNG for a
home-screen icon; no SVG renderer is a dependency, so the three paths of the SVG are traced
here. tests/site/test_icons.py compares the committed files with the drawing, so a change to
the drawing is committed with its output. static/root/ is served at the site's root by
whitenoise (WHITENOISE_ROOT).
"""

import io
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
ICO = ROOT / "static" / "root" / "favicon.ico"
TOUCH = ROOT / "static" / "img" / "apple-touch-icon.png"
BRAND = (139, 0, 0, 255)  # #8b0000, the SVG's fill
WHITE = (255, 255, 255, 255)


def _cubic(start, first, second, end, steps=24):
    points = []
    for step in range(1, steps + 1):
        t = step / steps
        u = 1 - t
        points.append(
            tuple(
                u**3 * a + 3 * u**2 * t * b + 3 * u * t**2 * c + t**3 * d
                for a, b, c, d in zip(start, first, second, end, strict=True)
            )
        )
    return points


def _shield(top, left, right, waist, bottom, tip):
    """The SVG's shield outline: a peak, straight sides down to `waist`, curves to `tip`."""
    (x_left, y_side), (x_right, _) = left, right
    outline = [top, left, (x_left, waist)]
    outline += _cubic((x_left, waist), *bottom[0], tip)
    outline += _cubic(tip, *bottom[1], (x_right, waist))
    outline += [(x_right, y_side)]
    return outline


OUTER = _shield(
    (16, 1), (3, 6), (29, 6), 15, [((3, 23), (8.6, 29)), ((23.4, 29), (29, 23))], (16, 31)
)
INNER = _shield(
    (16, 6.5),
    (8, 9.6),
    (24, 9.6),
    15,
    [((8, 20), (11.4, 23.9)), ((20.6, 23.9), (24, 20))],
    (16, 25.3),
)
CHECK = [(14.6, 19.2), (10.9, 15.5), (12.6, 13.8), (14.6, 15.8), (19.4, 11), (21.1, 12.7)]


def draw(size, background=None):
    """The icon at `size` pixels: drawn eight times larger, then reduced, for smooth edges."""
    big = size * 8
    scale = big / 32
    image = Image.new("RGBA", (big, big), background or (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for shape, colour in ((OUTER, BRAND), (INNER, WHITE), (CHECK, BRAND)):
        pen.polygon([(x * scale, y * scale) for x, y in shape], fill=colour)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def outputs():
    ico = io.BytesIO()
    largest = draw(48)
    largest.save(ico, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    touch = io.BytesIO()
    # iOS fills transparency with black: a white square, as home-screen icons are.
    draw(180, background=WHITE).convert("RGB").save(touch, format="PNG", optimize=True)
    return {ICO: ico.getvalue(), TOUCH: touch.getvalue()}


def main():
    for path, content in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
