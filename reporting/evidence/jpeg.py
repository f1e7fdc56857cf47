"""Lossless metadata removal for JPEG photos.

A JPEG is a chain of marker segments followed by entropy-coded scans. The segments a decoder
needs (quantisation and Huffman tables, the frame and scan headers, the restart interval, the
Adobe colour transform) are copied; application segments (EXIF with GPS, device and time, XMP,
ICC profiles with their device fields, IPTC, maker notes, the images phones append after the
end marker for depth or HDR) and comments are left behind. The scans are copied byte for byte,
so the stored photo has exactly the pixels that were taken: better evidence than a re-encoded
copy, and about twenty times cheaper than decoding and encoding.

Anything this walker does not expect raises Unusual, and the caller takes the slower path of
decoding and re-encoding the pixels, which also reports damaged files.
"""

import re
import struct

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
# Start of frame, every coding process (0xC4 is DHT, 0xC8 reserved, 0xCC is DAC).
FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
TABLES = {0xC4, 0xCC, 0xDB, 0xDD}  # Huffman, arithmetic coding, quantisation, restart interval
APP0, APP14, COM = 0xE0, 0xEE, 0xFE
# Inside a scan, 0xFF is always followed by 0x00 (a stuffed byte) or a restart marker; anything
# else is the next segment's marker.
NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")
ORIENTATION = 0x0112


class Unusual(ValueError):
    """The file is not a plain single-frame JPEG this walker can copy safely."""


def _jfif(body):
    """JFIF keeps its version and pixel density; its optional thumbnail is dropped."""
    if len(body) < 16:
        return b""
    payload = b"JFIF\x00" + body[7:14] + b"\x00\x00"
    return b"\xff\xe0" + struct.pack(">H", len(payload) + 2) + payload


def _orientation_exif(orientation):
    """An EXIF segment holding nothing but the orientation, so the photo still shows upright."""
    ifd = struct.pack(">HHHIHH", 1, ORIENTATION, 3, 1, orientation, 0) + b"\x00\x00\x00\x00"
    payload = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + ifd
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def strip(data, orientation=1):
    """Return the JPEG without its metadata; orientation (1-8) is written back if not 1."""
    if data[:2] != b"\xff\xd8":
        raise Unusual("no start of image")
    head, rest = [b"\xff\xd8"], []
    frames = scans = 0
    pos, size = 2, len(data)
    while True:
        if pos >= size or data[pos] != 0xFF:
            raise Unusual("expected a marker")
        while pos < size and data[pos] == 0xFF:  # fill bytes may precede any marker
            pos += 1
        if pos >= size:
            raise Unusual("cut inside a marker")
        marker = data[pos]
        pos += 1
        if marker == EOI:
            break  # whatever follows the image is not part of it
        if pos + 2 > size:
            raise Unusual("cut inside a segment")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > size:
            raise Unusual("segment length out of bounds")
        body = data[pos : pos + length]
        pos += length
        if marker in FRAMES:
            frames += 1
            rest.append(b"\xff" + bytes((marker,)) + body)
        elif marker in TABLES:
            rest.append(b"\xff" + bytes((marker,)) + body)
        elif marker == SOS:
            found = NEXT_MARKER.search(data, pos)
            if found is None:
                raise Unusual("scan without an end")
            # The scan is most of the photo: kept as a view of it, copied once, by the join.
            rest += (b"\xff\xda", body, memoryview(data)[pos : found.start()])
            pos = found.start()
            scans += 1
        elif marker == APP0 and body[2:7] == b"JFIF\x00":
            head.append(_jfif(body))
        elif marker == APP14 and body[2:7] == b"Adobe" and length == 14:
            rest.append(b"\xff\xee" + body)  # the colour transform: no one is named in it
        elif 0xE0 <= marker <= 0xEF or marker == COM:
            continue
        else:
            raise Unusual(f"marker {marker:#x}")
    if frames != 1 or not scans:
        raise Unusual("not one frame with its scans")
    if orientation != 1:
        head.append(_orientation_exif(orientation))
    return b"".join([*head, *rest, b"\xff\xd9"])
