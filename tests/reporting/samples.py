"""Real files for evidence tests, made on the spot with the same libraries a phone's output
would be read with."""

import io
import struct
import zlib
from fractions import Fraction

import av
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


# Recordings and videos, encoded on the spot with PyAV (FFmpeg's encoders), tagged the way phones
# and recording apps tag them.
GPS_ISO6709 = "+39.9042+116.4074+050.000/"
MEDIA_TAGS = {"title": "Reporter Name", "artist": "ARTIST-SECRET", "comment": "COMMENT-SECRET"}
# What no stored copy may hold: the tags' values, the GPS atoms of MP4 and MOV (©xyz, loci, the
# Apple key) and the photo inside cover art.
MEDIA_SECRETS = (
    b"Reporter Name",
    b"ARTIST-SECRET",
    b"COMMENT-SECRET",
    b"PhoneMaker",
    b"Model X",
    b"HANDLER-SECRET",
    b"+39.9042",
    b"\xa9xyz",
    b"loci",
    b"ISO6709",
    b"com.apple.quicktime",
)


def _silence(stream, seconds):
    codec = stream.codec_context
    samples = codec.frame_size or 1024
    for n in range(max(1, int(codec.sample_rate * seconds) // samples)):
        frame = av.AudioFrame(format=codec.format.name, layout="mono", samples=samples)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts = codec.sample_rate, n * samples
        yield from stream.encode(frame)
    yield from stream.encode()


def _pictures(stream, frames):
    for n in range(frames):
        frame = av.VideoFrame(stream.width, stream.height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([n * 20 % 256]) * plane.buffer_size)
        frame.pts = n
        yield from stream.encode(frame)
    yield from stream.encode()


def video(
    muxer="mp4",
    tags=None,
    stream_tags=None,
    *,
    frames=10,
    size=(64, 48),
    codec="libx264",
    tag=None,
    rotation=None,
    options=None,
):
    """Picture at ten frames a second (H.264, or HEVC) with AAC sound, tagged as given;
    `rotation`: degrees counter-clockwise, as a phone held upright records."""
    out = io.BytesIO()
    with av.open(out, "w", format=muxer, options=options or {}) as container:
        container.metadata.update(tags or {})
        picture = container.add_stream(codec, rate=10)
        picture.width, picture.height, picture.pix_fmt = *size, "yuv420p"
        picture.options = {"preset": "ultrafast"}
        if codec == "libx265":
            picture.options["x265-params"] = "log-level=none"
        if tag:
            picture.codec_tag = tag
        if rotation:
            picture.set_display_rotation(rotation)
        sound = container.add_stream("aac", rate=8000, layout="mono")
        for stream in (picture, sound):
            stream.metadata.update(stream_tags or {})
        for packet in _pictures(picture, frames):
            container.mux(packet)
        for packet in _silence(sound, frames / 10):
            container.mux(packet)
    return out.getvalue()


def audio(muxer, codec, tags=None, cover=None, seconds=1.0, options=None, rate=8000):
    """Silence as a recording app writes it, tagged, with a cover picture when given."""
    out = io.BytesIO()
    with av.open(out, "w", format=muxer, options=options or {}) as container:
        container.metadata.update(tags or {})
        sound = container.add_stream(codec, rate=rate, layout="mono")
        if cover:
            picture = container.add_stream("mjpeg")
            picture.width, picture.height = Image.open(io.BytesIO(cover)).size
            picture.pix_fmt = "yuvj420p"
            picture.disposition = av.stream.Disposition.attached_pic
        container.start_encoding()
        if cover:
            packet = av.Packet(cover)
            packet.stream, packet.pts, packet.dts, packet.is_keyframe = picture, 0, 0, True
            container.mux(packet)
        for packet in _silence(sound, seconds):
            container.mux(packet)
    return out.getvalue()


def mp4_with_gps():
    """An Android phone's video: its location in a ©xyz atom of the movie's user data."""
    data = video("mp4", {"title": "Reporter Name"}, {"handler_name": "HANDLER-SECRET"})
    text = GPS_ISO6709.encode()
    xyz = struct.pack(">I4sHH", 12 + len(text), b"\xa9xyz", len(text), 0x15C7) + text
    udta = struct.pack(">I4s", 8 + len(xyz), b"udta") + xyz
    return with_box_in_moov(data, udta)


def mov_with_gps():
    """An iPhone's video: location, make and model as Apple's keys and as QuickTime atoms."""
    tags = {
        "com.apple.quicktime.location.ISO6709": GPS_ISO6709,
        "com.apple.quicktime.make": "PhoneMaker",
        "com.apple.quicktime.model": "Model X",
        "location": GPS_ISO6709,
        "make": "PhoneMaker",
        "model": "Model X",
        "title": "Reporter Name",
        "creation_time": "2025-05-01T12:00:00Z",
    }
    mov = video("mov", tags, {"handler_name": "HANDLER-SECRET"})
    keys = video("mov", tags, options={"movflags": "use_metadata_tags"})
    # The Apple keys (a 'meta' box of 'mdta' keys) beside the QuickTime atoms: both in one movie.
    return with_box_in_moov(mov, box_of(keys, b"moov", b"udta"))


def mov_with_tracks_beside():
    """A video with a subtitle track and a timecode track beside its picture: tracks of that
    kind carry a camera's GPS or an editor's notes."""
    out = io.BytesIO()
    with av.open(out, "w", format="mov") as container:
        picture = container.add_stream("libx264", rate=10)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        picture.metadata["timecode"] = "01:02:03:04"
        notes = container.add_mux_stream("mov_text")
        notes.time_base = Fraction(1, 1000)
        container.start_encoding()
        for packet in _pictures(picture, 5):
            container.mux(packet)
        text = b"SUBTITLE-SECRET " + GPS_ISO6709.encode()
        packet = av.Packet(struct.pack(">H", len(text)) + text)
        packet.stream, packet.time_base = notes, notes.time_base
        packet.pts, packet.dts, packet.duration = 0, 0, 500
        container.mux(packet)
    return out.getvalue()


def mp3_with_tags():
    """ID3v2 tags with a cover photo (GPS in its EXIF) and an ID3v1 tag at the end."""
    return audio(
        "mp3", "libmp3lame", MEDIA_TAGS, cover=jpeg_with_gps(), options={"write_id3v1": "1"}
    )


def m4a_with_tags():
    """iTunes tags (ilst) and cover art, as a voice-memo or music app writes them."""
    return audio("mp4", "aac", MEDIA_TAGS, cover=jpeg_with_gps(), options={"brand": "M4A "})


# ISO BMFF boxes (MP4, MOV): a size, a type, then their content or further boxes.
CONTAINER_BOXES = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf"}


def boxes(data, start=0, end=None, path=()):
    """(path of types, offset, header size, size) of every box, depth first."""
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1:
            (size,), header = struct.unpack_from(">Q", data, start + 8), 16
        size = size or end - start
        yield (*path, kind), start, header, size
        if kind in CONTAINER_BOXES:
            yield from boxes(data, start + header, start + size, (*path, kind))
        start += max(size, 8)


def find_boxes(data, *path):
    return [(at, header, size) for p, at, header, size in boxes(data) if p[-len(path) :] == path]


def box_of(data, *path):
    at, _header, size = find_boxes(data, *path)[0]
    return data[at : at + size]


def with_box_in_moov(data, box, drop=()):
    """The movie with `box` added to its moov and its boxes of the types in `drop` removed.
    FFmpeg writes moov after the media data, so no chunk offset moves."""
    at, header, size = find_boxes(data, b"moov")[0]
    body = data[at + header : at + size]
    kept = b"".join(
        body[start : start + length]
        for path, start, _h, length in boxes(body)
        if len(path) == 1 and path[0] not in drop
    )
    body = kept + box
    return data[:at] + struct.pack(">I4s", 8 + len(body), b"moov") + body + data[at + size :]


def with_durations(data, value):
    """The movie and each track claiming to last `value` units of their time scale."""
    data = bytearray(data)
    for kind, offset in ((b"mvhd", 16), (b"tkhd", 20), (b"mdhd", 16)):
        for at, header, _size in find_boxes(data, kind):
            struct.pack_into(">I", data, at + header + offset, value)
    return bytes(data)


def moov_first(data):
    """The same movie with its moov before the media data, as a 'fast start' export writes
    it, so that a cut file still has all its tables: written through a real file, the only
    way FFmpeg moves the moov."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.mp4"), Path(folder, "out.mp4")
        source.write_bytes(data)
        with (
            av.open(str(source)) as inp,
            av.open(str(target), "w", options={"movflags": "faststart"}) as out,
        ):
            copies = {s.index: out.add_stream_from_template(s) for s in inp.streams}
            for packet in inp.demux():
                if packet.dts is not None:
                    packet.stream = copies[packet.stream.index]
                    out.mux(packet)
        return target.read_bytes()


def with_icc_profile(data):
    """The movie with an ICC profile (which can name a device) in its video's sample entry,
    as some cameras and editors write it."""
    at, header, _size = find_boxes(data, b"stsd")[0]
    entry = at + header + 8  # after the version, flags and entry count
    end = entry + struct.unpack_from(">I", data, entry)[0]
    icc = b"\x00\x00\x02\x0cICCPROFILE-ICC-SECRET" + b"\x00" * 100
    colr = struct.pack(">I4s4s", 12 + len(icc), b"colr", b"prof") + icc
    holders = [start for _p, start, _h, size in boxes(data) if start < end <= start + size]
    edited = bytearray(data[:end] + colr + data[end:])
    for start in [*holders, entry]:
        struct.pack_into(
            ">I", edited, start, struct.unpack_from(">I", edited, start)[0] + len(colr)
        )
    return bytes(edited)


def amr_in_mp4():
    """AMR speech in an MP4, as some recorders write it: a codec the MP4 muxer does not take."""
    return audio("3gp", "libopencore_amrnb", options={"brand": "isom"})


def cut_before_last_packet(data):
    """The movie cut where its last packet begins: every table whole, the data short."""
    with av.open(io.BytesIO(data)) as container:
        last = max(packet.pos for packet in container.demux() if packet.dts is not None)
    return data[:last]
