"""Real files for evidence tests, made on the spot with the same libraries a phone's output
would be read with."""

import io
import struct
import zlib

import pypdf
from PIL import Image
from pillow_heif import register_heif_opener

register_heif_opener()

GPS_IFD = 0x8825
MAKE, MODEL, DATETIME = 0x010F, 0x0110, 0x0132


def jpeg_with_gps(size=(320, 240)):
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Model X"
    exif[DATETIME] = "2025:05:01 12:00:00"
    exif[0x0112] = 6  # orientation: rotate 90° clockwise for display
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 26.0), 3: "E", 4: (116.0, 23.0, 29.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def png_with_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Reporter Name")
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "blue").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _exif():
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[0x013B] = "Reporter Name"  # Artist
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 26.0)})
    return exif


def webp():
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "green").save(out, format="WEBP", exif=_exif())
    return out.getvalue()


def heic():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format="HEIF", exif=_exif())
    return out.getvalue()


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description>Reporter Name XMPSECRET</rdf:Description>'
    b"</rdf:RDF></x:xmpmeta>"
)


def pdf_with_metadata():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Reporter Name", "/Producer": "Office 2019 on PC-ZHANG"})
    writer.xmp_metadata = XMP
    writer.add_attachment("photo.jpg", jpeg_with_gps())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def wav(seconds=0.1):
    frames = int(8000 * seconds)
    data = b"\x00\x00" * frames
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data"
    return header + struct.pack("<I", len(data)) + data


def amr(frames=50, wideband=False):
    """Frames of the highest rate, as a phone's voice recorder writes them: a header byte
    (frame type, quality bit) and the frame's speech bytes."""
    if wideband:
        return b"#!AMR-WB\n" + (bytes([8 << 3 | 4]) + b"\x11" * 60) * frames
    return b"#!AMR\n" + (bytes([7 << 3 | 4]) + b"\x11" * 31) * frames


def png_bomb(width=12_000, height=12_000):
    """A valid PNG of 144 megapixels that compresses to a few kilobytes."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = zlib.compressobj(9)
    data = b"".join(rows.compress(b"\x00" + b"\x00" * (width // 8)) for _ in range(height))
    data += rows.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 200
