"""Evidence files: decide the type by content, remove what identifies the reporter, hash.

Nothing here touches the database; evidence.storage stores the results with their clue, in
one transaction.
JPEG photos lose their metadata segments losslessly (jpeg.py): their pixels stay exactly as
taken, and only the orientation is written back. Other images, and JPEGs of an unusual
structure, are decoded and re-encoded from pixels alone. Either way EXIF (GPS, device, time),
XMP, IPTC, ICC profiles and comments are gone. PDFs lose their document information and XMP
metadata, and their scripts. WAV recordings keep only their format and samples. MP3, M4A, MP4
and MOV are rebuilt from their sound and picture packets (media.py), which leaves tags, GPS
locations, cover art and anything appended behind. AMR recordings carry no metadata at all.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

import filetype
import mutagen
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from reporting.evidence import jpeg, media

register_heif_opener()

# Mime type decided by content -> (kind, extension of the stored copy)
ACCEPTED = {
    "image/jpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "image/webp": ("image", "webp"),
    "image/heic": ("image", "jpg"),
    "image/heif": ("image", "jpg"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/mp4": ("audio", "m4a"),
    "audio/amr": ("audio", "amr"),
    "audio/x-wav": ("audio", "wav"),
    "video/mp4": ("video", "mp4"),
    "video/quicktime": ("video", "mov"),
    "application/pdf": ("document", "pdf"),
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Phones take 48 and 50 megapixel photos; a canvas far beyond that is a decompression bomb.
MAX_IMAGE_PIXELS = 64_000_000


class EvidenceError(ValueError):
    """A file that cannot be accepted; the message names the file and says why."""


@dataclass
class ProcessedFile:
    display_name: str
    kind: str
    content_type: str
    extension: str
    content: bytes
    sha256: str
    original_sha256: str
    original_size: int
    metadata_removed: bool
    original: bytes | None = None

    @property
    def size(self):
        return len(self.content)


def _strip_image(data, name, extension, mime):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            if mime == "image/jpeg":
                try:
                    return jpeg.strip(data, _orientation(image))
                except jpeg.Unusual:
                    pass  # decoded below, which also tells a damaged file from an odd one
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise EvidenceError(
                _("“%(name)s” is an image too large to open safely.") % {"name": name}
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise EvidenceError(
                _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}
            ) from None
    # Turn the picture upright before the orientation tag goes with the rest of the EXIF; in
    # place, as an upright photo (most of them) would otherwise be copied whole for nothing.
    ImageOps.exif_transpose(image, in_place=True)
    if extension == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Pillow writes comments, ICC profiles and XMP it finds in .info; with .info empty and
    # no exif given, only pixels are written.
    image.info = {}
    out = io.BytesIO()
    options = {"quality": 90} if extension in ("jpg", "webp") else {}
    image.save(out, format=IMAGE_FORMATS[extension], exif=b"", **options)
    return out.getvalue()


def _orientation(image):
    try:
        orientation = image.getexif().get(jpeg.ORIENTATION, 1)
    except Exception as error:  # EXIF written by anything; the decode path copes or refuses
        raise jpeg.Unusual("unreadable EXIF") from error
    if type(orientation) is not int:
        # Stored as a fraction or a float by some writer: exif_transpose, on the decode
        # path, knows what to make of it.
        raise jpeg.Unusual("an orientation that is not a whole number")
    return orientation if 1 <= orientation <= 8 else 1


# Annotations that carry files or media of their own (which can be photos with their location,
# or programs): left behind with the document level.
DROPPED_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
# The only actions a kept annotation may have: go to a page, open a web address.
SAFE_ACTIONS = {"/GoTo", "/URI"}


def _harmless(annotation):
    """The annotation without script or program launches, or None when it is one to drop."""
    if annotation.get("/Subtype") in DROPPED_ANNOTATIONS:
        return None
    annotation.pop("/AA", None)
    action = annotation.get("/A")
    if action is not None and action.get_object().get("/S") not in SAFE_ACTIONS:
        annotation.pop("/A")
    return annotation


def _strip_pdf(data, name):
    # Imported here, not with the module: pypdf costs every worker about 6 MB of memory, and
    # only a report with a PDF needs it.
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise EvidenceError(
                _("“%(name)s” is protected by a password. Remove the password and send it again.")
                % {"name": name}
            )
        # A new document that takes only the pages: the document's information dictionary,
        # XMP, attached files (which can be photos with their own location) and everything
        # else at document level stay behind.
        writer = pypdf.PdfWriter()
        for page in reader.pages:
            # /AA: actions run when the page opens or closes (scripts, launching programs).
            for key in ("/Metadata", "/PieceInfo", "/AA"):
                page.pop(key, None)
            if "/Annots" in page:
                kept = [_harmless(a.get_object()) for a in page["/Annots"]]
                page[pypdf.generic.NameObject("/Annots")] = pypdf.generic.ArrayObject(
                    [annotation for annotation in kept if annotation is not None]
                )
            writer.add_page(page)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except EvidenceError:
        raise
    except Exception:  # pypdf raises many kinds of errors on malformed files
        raise EvidenceError(
            _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}
        ) from None
    return out.getvalue()


# Bytes of speech data after each frame's header, by frame type; None: not a valid type.
AMR_FRAME_BYTES = {
    b"#!AMR\n": (12, 13, 15, 17, 19, 20, 26, 31, 5, None, None, None, None, None, None, 0),
    b"#!AMR-WB\n": (17, 23, 32, 36, 40, 46, 50, 58, 60, 5, None, None, None, None, 0, 0),
}
AMR_MAGIC = tuple(AMR_FRAME_BYTES)


def _is_amr(data):
    """Frame by frame to the last byte: the magic followed by anything (a script, a program)
    is not a recording. Each header byte has its padding bits clear and a valid frame type."""
    magic = next((m for m in AMR_FRAME_BYTES if data.startswith(m)), None)
    if magic is None:
        return False
    sizes, position, speech = AMR_FRAME_BYTES[magic], len(magic), 0
    while position < len(data):
        header = data[position]
        size = sizes[(header >> 3) & 0x0F]
        if header & 0x83 or size is None:
            return False
        speech += size > 5
        position += 1 + size
    return position == len(data) and speech > 0


def _clean_wav(data, name):
    """The recording rebuilt from its format and sample chunks alone: INFO and ID3 chunks
    (which can name the device or its owner) and anything after the RIFF data are left
    behind."""
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    chunks, position = {}, 12
    while position + 8 <= end:
        kind, size = (
            data[position : position + 4],
            int.from_bytes(data[position + 4 : position + 8], "little"),
        )
        if kind in (b"fmt ", b"data") and kind not in chunks:
            chunks[kind] = data[position + 8 : min(position + 8 + size, end)]
        position += 8 + size + (size & 1)
    if not chunks.get(b"fmt ") or not chunks.get(b"data"):
        raise EvidenceError(
            _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}
        )
    body = b"WAVE"
    for kind in (b"fmt ", b"data"):
        chunk = chunks[kind]
        body += kind + len(chunk).to_bytes(4, "little") + chunk + b"\x00" * (len(chunk) & 1)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _check_media(data, name, mime):
    """A recording or video must parse as one and have a duration: a file that only starts
    like one (an executable behind an ID3 header, a script behind 'ftyp') is refused."""
    length = 0
    if mime == "audio/amr":
        valid = _is_amr(data)
    else:
        try:
            parsed = mutagen.File(io.BytesIO(data))
        except (mutagen.MutagenError, ValueError, EOFError):
            parsed = None
        length = getattr(parsed.info, "length", 0) if parsed is not None else 0
        valid = length > 0
    if not valid:
        raise EvidenceError(_damaged(name))
    if length > media.MAX_SECONDS:
        raise EvidenceError(_too_long(name))


def _damaged(name):
    return _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}


def _too_long(name):
    return _("“%(name)s” is too long to be checked safely. Send it in shorter parts.") % {
        "name": name
    }


def _strip_media(data, name, mime, extension):
    """(content, content type, extension); a QuickTime file's for a codec MP4 cannot hold."""
    if mime == "audio/amr":
        return data, mime, extension
    if mime == "audio/x-wav":
        return _clean_wav(data, name), mime, extension
    try:
        return media.strip(data, mime)
    except media.TooLong:
        raise EvidenceError(_too_long(name)) from None
    except media.Empty:
        raise EvidenceError(_("“%(name)s” holds no sound or picture.") % {"name": name}) from None
    except media.Damaged:
        raise EvidenceError(_damaged(name)) from None


def process(name, data):
    """Check one uploaded file and return the copy to store. Raises EvidenceError."""
    name = (name or _("unnamed file"))[:120]
    if not data:
        raise EvidenceError(_("“%(name)s” is empty.") % {"name": name})
    if len(data) > settings.EVIDENCE_MAX_FILE_BYTES:
        raise EvidenceError(
            _("“%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(settings.EVIDENCE_MAX_FILE_BYTES)}
        )
    kind_guess = filetype.guess(data)
    mime = kind_guess.mime if kind_guess else None
    if mime is None and data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        mime = "image/heic"  # HEIF brands filetype does not know (heix: 10-bit phone photos)
    if mime is None and data.startswith(b"#!AMR-WB\n"):
        mime = "audio/amr"  # wideband voice recordings, which filetype does not know
    if mime not in ACCEPTED:
        raise EvidenceError(
            _(
                "“%(name)s” is not a photo, recording, video or PDF we can accept "
                "(JPEG, PNG, WebP, HEIC, MP3, M4A, AMR, WAV, MP4, MOV, PDF)."
            )
            % {"name": name}
        )
    kind, extension = ACCEPTED[mime]
    if kind == "image":
        content = _strip_image(data, name, extension, mime)
        content_type = f"image/{'jpeg' if extension == 'jpg' else extension}"
    elif kind == "document":
        content, content_type = _strip_pdf(data, name), mime
    else:
        _check_media(data, name, mime)
        content, content_type, extension = _strip_media(data, name, mime, extension)
    original_sha256 = hashlib.sha256(data).hexdigest()
    return ProcessedFile(
        display_name=name,
        kind=kind,
        content_type=content_type,
        extension=extension,
        content=content,
        # A photo sent without metadata comes back byte for byte: no second hash for it.
        sha256=original_sha256 if content == data else hashlib.sha256(content).hexdigest(),
        original_sha256=original_sha256,
        original_size=len(data),
        metadata_removed=mime != "audio/amr",
        original=data if settings.EVIDENCE_KEEP_ORIGINALS and content is not data else None,
    )
