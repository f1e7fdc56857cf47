"""QR images of a poster's short URL. Size and error correction come from query parameters,
bounded, with defaults for anything else: a link pasted into a print shop's order form must
give a usable image whatever happened to it on the way."""

from portal import qr as codes
from portal.qr import LEVELS

# Q survives a quarter of the code torn, dirty or covered: posters outdoors lose that much.
DEFAULT_LEVEL = "Q"
DEFAULT_SIZE, MIN_SIZE, MAX_SIZE = 600, 100, 4000


def options(query):
    """(size in pixels, error-correction level) from ?size=&ecc=; out-of-range sizes are
    brought within bounds, anything unreadable gives the defaults."""
    level = str(query.get("ecc", "")).strip().upper()
    if level not in LEVELS:
        level = DEFAULT_LEVEL
    try:
        size = int(str(query.get("size", DEFAULT_SIZE)).strip())
    except ValueError:
        size = DEFAULT_SIZE
    return min(max(size, MIN_SIZE), MAX_SIZE), level


def matrix(data, level=DEFAULT_LEVEL):
    """The modules of the code, quiet zone included, as rows of booleans."""
    return codes.matrix(data, level)


def svg(data, size=DEFAULT_SIZE, level=DEFAULT_LEVEL):
    return codes.svg(data, size, level)


def png(data, size=DEFAULT_SIZE, level=DEFAULT_LEVEL):
    """A PNG at least `size` pixels wide: portal.qr.png."""
    return codes.png(data, size, level)
