"""JPEG photos lose their metadata without being decoded: the stored pixels are the ones taken."""

import io
import random
import struct

import pytest
from PIL import Image, ImageOps

from reporting.evidence import checks as evidence
from reporting.evidence import jpeg

from . import samples

SECRETS = (b"PhoneMaker", b"Reporter Name", b"XMPSECRET", b"ICC-SECRET", b"COMMENT-SECRET")


def noisy(mode="RGB", size=(96, 64)):
    """Random pixels, so the scans are full of stuffed 0xFF bytes."""
    rng = random.Random(7)
    bands = len(Image.new(mode, (1, 1)).getbands())
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * bands))


def with_everything(image, orientation=None, **save):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Reporter Name"
    exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 54.0, 26.0)})
    if orientation is not None:
        exif[jpeg.ORIENTATION] = orientation
    icc = b"\x00\x00\x02\x0cICCPROFILE-ICC-SECRET" + b"\x00" * 100
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"COMMENT-SECRET", icc_profile=icc, **save)
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + samples.XMP
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + data[2:]


def frame(data):
    start = data.index(b"\xff\xc0")
    return data[start : start + 2 + struct.unpack_from(">H", data, start + 2)[0]]


def pixels(data):
    return Image.open(io.BytesIO(data)).tobytes()


@pytest.mark.parametrize(
    "save",
    [
        {},
        {"progressive": True},
        {"restart_marker_blocks": 2},
        {"quality": 100, "subsampling": 0},
    ],
    ids=["baseline", "progressive", "restart markers", "no subsampling"],
)
def test_metadata_goes_and_every_pixel_stays(save):
    original = with_everything(noisy(), **save)
    stored = evidence.process("IMG_0001.jpg", original)
    for secret in SECRETS:
        assert secret not in stored.content
    image = Image.open(io.BytesIO(stored.content))
    assert not image.getexif() and "icc_profile" not in image.info and "comment" not in image.info
    assert pixels(stored.content) == pixels(original)
    assert stored.metadata_removed and stored.sha256 != stored.original_sha256


def test_a_cmyk_photo_keeps_its_adobe_colour_transform():
    original = with_everything(noisy("CMYK"))
    stored = evidence.process("scan.jpg", original).content
    assert b"Adobe" in stored and b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.mode == "CMYK" and image.tobytes() == pixels(original)


def test_only_the_orientation_is_written_back():
    original = with_everything(noisy(size=(90, 60)), orientation=6)
    stored = evidence.process("IMG_0002.jpg", original).content
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {jpeg.ORIENTATION: 6}
    assert ImageOps.exif_transpose(image).size == (60, 90)
    assert b"PhoneMaker" not in stored


@pytest.mark.parametrize("orientation", [1, 9, 0])
def test_no_exif_at_all_for_an_upright_or_nonsense_orientation(orientation):
    original = with_everything(noisy(), orientation=orientation)
    stored = evidence.process("a.jpg", original).content
    assert b"Exif" not in stored and not Image.open(io.BytesIO(stored)).getexif()


def test_what_phones_append_after_the_image_is_left_behind():
    """Phones append depth maps and HDR gain maps, each a JPEG with its own EXIF, after the
    photo's end marker."""
    original = with_everything(noisy()) + with_everything(noisy(size=(16, 16))) + b"PK\x03\x04"
    stored = evidence.process("IMG_0003.jpg", original).content
    assert stored.count(b"\xff\xd8") == 1 and stored.endswith(b"\xff\xd9")
    assert b"PK\x03\x04" not in stored and b"PhoneMaker" not in stored


def test_a_jfif_thumbnail_is_dropped_and_the_density_kept():
    base = with_everything(noisy())
    thumbnail = bytes(range(256)) * 3  # 16 x 16 RGB, the picture in small
    jfif = b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x10\x10" + thumbnail[:768]
    original = base[:2] + b"\xff\xe0" + struct.pack(">H", len(jfif) + 2) + jfif + base[2:]
    stored = evidence.process("a.jpg", original).content
    assert thumbnail[:768] not in stored
    assert Image.open(io.BytesIO(stored)).info["dpi"] == (72, 72)
    assert pixels(stored) == pixels(original)


def test_fill_bytes_before_a_marker_are_allowed():
    original = with_everything(noisy())
    sos = original.index(b"\xff\xda")
    padded = original[:sos] + b"\xff\xff\xff" + original[sos:]
    assert pixels(jpeg.strip(padded)) == pixels(original)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d[: d.index(b"\xff\xda") + 40], "scan without an end"),
        (lambda d: d[: d.index(b"\xff\xdb") + 6], "out of bounds"),
        (lambda d: b"\xff\xd8\x00" + d[2:], "expected a marker"),
        (lambda d: d.replace(b"\xff\xda", b"\xff\xdc\x00\x04\x00\x30\xff\xda", 1), "0xdc"),
        (lambda d: d.replace(frame(d), frame(d) * 2), "not one frame"),
    ],
    ids=["cut in a scan", "cut in a table", "junk after start", "unknown marker", "two frames"],
)
def test_anything_unexpected_is_left_to_the_decoder(change, reason):
    bad = change(with_everything(noisy()))
    with pytest.raises(jpeg.Unusual, match=reason):
        jpeg.strip(bad)


def exif_with_orientation_of_type(kind):
    """An EXIF segment whose orientation, 6, is stored as a RATIONAL (5) or a DOUBLE (12),
    as some writers do, with the maker's name beside it."""
    value = struct.pack(">II", 6, 1) if kind == 5 else struct.pack(">d", 6.0)
    make = b"PhoneMaker\x00"
    data_at = 8 + 2 + 2 * 12 + 4
    entries = struct.pack(">HHII", jpeg.ORIENTATION, kind, 1, data_at)
    entries = struct.pack(">HHII", 0x010F, 2, len(make), data_at + len(value)) + entries
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x02" + entries + b"\x00" * 4
    return b"Exif\x00\x00" + tiff + value + make


@pytest.mark.parametrize("kind", [5, 12], ids=["fraction", "float"])
def test_an_orientation_stored_as_a_fraction_or_float_is_left_to_the_decoder(kind):
    out = io.BytesIO()
    noisy(size=(90, 60)).save(out, format="JPEG", exif=exif_with_orientation_of_type(kind))
    original = out.getvalue()
    orientation = Image.open(io.BytesIO(original)).getexif()[jpeg.ORIENTATION]
    assert orientation == 6 and type(orientation) is not int
    stored = evidence.process("IMG_0004.jpg", original).content
    image = Image.open(io.BytesIO(stored))
    assert image.size == (60, 90) and not image.getexif()  # turned upright, then re-encoded
    assert b"PhoneMaker" not in stored


def test_a_cut_photo_is_still_refused_by_name():
    cut = with_everything(noisy(size=(400, 300)))[:3000]
    with pytest.raises(evidence.EvidenceError, match=r"“cut\.jpg”"):
        evidence.process("cut.jpg", cut)


def test_an_odd_but_whole_photo_is_re_encoded_and_still_clean():
    """A DNL marker between scans, which the walker leaves to the decoder."""
    original = with_everything(noisy(), progressive=True)
    second_scan = original.index(b"\xff\xda", original.index(b"\xff\xda") + 2)
    odd = original[:second_scan] + b"\xff\xdc\x00\x04\x00\x40" + original[second_scan:]
    with pytest.raises(jpeg.Unusual):
        jpeg.strip(odd)
    stored = evidence.process("odd.jpg", odd)
    for secret in SECRETS:
        assert secret not in stored.content
    assert Image.open(io.BytesIO(stored.content)).size == (96, 64)
