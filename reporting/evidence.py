"""Evidence files: decide the type by content, remove what identifies the reporter, hash.

Nothing here touches the database; services.py stores the results in one transaction.
Images are decoded and re-encoded from pixels alone, so EXIF (GPS, device, time), XMP, IPTC
and comments are gone. PDFs lose their document information and XMP metadata. Audio and video
are kept as sent: stripping them needs a media toolkit this portal does not ship, and the form
tells reporters so.
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
import pypdf
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

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


def _strip_image(data, name, extension):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise EvidenceError(
                _("“%(name)s” is an image too large to open safely.") % {"name": name}
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise EvidenceError(
                _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}
            ) from None
    # Turn the picture upright before the orientation tag goes with the rest of the EXIF.
    image = ImageOps.exif_transpose(image)
    if extension == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Pillow writes comments, ICC profiles and XMP it finds in .info; with .info empty and
    # no exif given, only pixels are written.
    image.info = {}
    out = io.BytesIO()
    options = {"quality": 90} if extension in ("jpg", "webp") else {}
    image.save(out, format=IMAGE_FORMATS[extension], exif=b"", **options)
    return out.getvalue()


def _strip_pdf(data, name):
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
            for key in ("/Metadata", "/PieceInfo"):
                page.pop(key, None)
            if "/Annots" in page:
                kept = [
                    a
                    for a in page["/Annots"]
                    if a.get_object().get("/Subtype") != "/FileAttachment"
                ]
                page[pypdf.generic.NameObject("/Annots")] = pypdf.generic.ArrayObject(kept)
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


AMR_MAGIC = (b"#!AMR\n", b"#!AMR-WB\n")


def _check_media(data, name, mime):
    """A recording or video must parse as one and have a duration: a file that only starts
    like one (an executable behind an ID3 header, a script behind 'ftyp') is refused."""
    if mime == "audio/amr":
        valid = any(data.startswith(m) and len(data) > len(m) + 1 for m in AMR_MAGIC)
    else:
        try:
            parsed = mutagen.File(io.BytesIO(data))
        except (mutagen.MutagenError, ValueError, EOFError):
            parsed = None
        valid = parsed is not None and getattr(parsed.info, "length", 0) > 0
    if not valid:
        raise EvidenceError(
            _("“%(name)s” is damaged or incomplete and cannot be opened.") % {"name": name}
        )


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
    if mime not in ACCEPTED:
        raise EvidenceError(
            _(
                "“%(name)s” is not a photo, recording, video or PDF we can accept "
                "(JPEG, PNG, WebP, HEIC, MP3, M4A, AMR, WAV, MP4, MOV, PDF)."
            )
            % {"name": name}
        )
    kind, extension = ACCEPTED[mime]
    if kind in ("audio", "video"):
        _check_media(data, name, mime)
    if kind == "image":
        content = _strip_image(data, name, extension)
        content_type = f"image/{'jpeg' if extension == 'jpg' else extension}"
    elif kind == "document":
        content, content_type = _strip_pdf(data, name), mime
    else:
        content, content_type = data, mime
    return ProcessedFile(
        display_name=name,
        kind=kind,
        content_type=content_type,
        extension=extension,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
        metadata_removed=kind in ("image", "document"),
        original=data if settings.EVIDENCE_KEEP_ORIGINALS and content is not data else None,
    )
