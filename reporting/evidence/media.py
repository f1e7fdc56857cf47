"""Metadata removal for recordings and videos (MP3, M4A, MP4, MOV), by remuxing.

The sound and picture packets are copied, unchanged and undecoded, into a new file of the same
kind written by FFmpeg's muxers (PyAV). Everything else stays behind: container tags (title,
artist, encoder, creation time, the GPS location a phone writes as ©xyz, loci or Apple's
com.apple.quicktime.location.ISO6709 key, make and model), stream tags (handler names), ID3
and iTunes tags, cover art (a photo with its own EXIF), chapters, timed metadata and subtitle
tracks (which can carry a location per frame), and anything appended after the media data. The
orientation survives, as a photo's does: the muxer writes it back from the track's display
matrix, so a video held upright still plays upright.

Copying packets costs a few microseconds each, where decoding and encoding a phone video would
take the worker's whole CPU for longer than the video lasts. What sits inside the compressed
frames themselves (an encoder's settings string in the video stream) is copied with them.
"""

import contextlib
import io
import struct

# Longer than any recording the largest upload holds at the lowest bitrate phones record (AMR
# speech at 4.75 kbit/s fills 20 MB in under ten hours); a header claiming more lies.
MAX_SECONDS = 24 * 3600
# Each packet costs the worker about 5 µs: a file of millions of tiny samples would keep it busy
# for seconds on end. Half a million is nearly three hours of AMR speech in an MP4, nearly twice
# the smallest MP3 frames that fill 20 MB; a 20 MB phone video has a few thousand.
MAX_PACKETS = 500_000

# Mime type decided by content -> (FFmpeg demuxer, [(muxer, content type, extension)]).
# A codec the first muxer does not take (AMR speech in an MP4 of a 3GP recorder) goes into
# the next; QuickTime, the format MP4 grew from, takes nearly all.
FORMATS = {
    "audio/mpeg": ("mp3", [("mp3", "audio/mpeg", "mp3")]),
    "audio/mp4": (
        "mov",
        [
            ("ipod", "audio/mp4", "m4a"),
            ("mp4", "audio/mp4", "m4a"),
            ("mov", "video/quicktime", "mov"),
        ],
    ),
    "video/mp4": ("mov", [("mp4", "video/mp4", "mp4"), ("mov", "video/quicktime", "mov")]),
    "video/quicktime": ("mov", [("mov", "video/quicktime", "mov")]),
}
# No encoder name, no time of writing: the output depends on the packets alone.
MUXER_OPTIONS = {"fflags": "+bitexact"}
# A MOV can point at its media in other files by path; FFmpeg follows such references only
# when asked, and it is told not to be, whatever its default becomes.
DEMUXER_OPTIONS = {"mov": {"enable_drefs": "0"}, "mp3": {}}


class Damaged(ValueError):
    """Cut, or not the recording or video it claims to be."""


class TooLong(ValueError):
    """Claims a duration, or holds a number of packets, beyond any honest recording."""


class Empty(ValueError):
    """A container with neither sound nor picture in it."""


def strip(data, mime):
    """(content, content type, extension) of the file rebuilt from its sound and picture."""
    # Imported here, not with the module: FFmpeg's libraries cost a worker about 9 MB of its
    # own memory, and only a report with a recording or a video needs them.
    import av

    demuxer, muxers = FORMATS[mime]
    try:
        # The demuxer is named, not guessed: a probe could pick one that opens other files
        # or addresses a playlist names (HLS behind an ID3 header).
        with av.open(io.BytesIO(data), format=demuxer, options=DEMUXER_OPTIONS[demuxer]) as source:
            kept = _kept_streams(av, source)
            declared = sum(stream.frames for stream in kept)
            if (source.duration or 0) / av.time_base > MAX_SECONDS or declared > MAX_PACKETS:
                raise TooLong
            # The sample tables of an MP4 or MOV list every packet: fewer read means the file
            # was cut (its moov written first, then its data only in part).
            listed = {s.index: len(s.index_entries) for s in kept} if demuxer == "mov" else {}
            out = io.BytesIO()
            target, copies, content_type, extension = _open_target(av, out, muxers, kept)
            with target:
                counts = _copy_packets(source, kept, target, copies, mime)
    except av.FFmpegError as error:
        raise Damaged(str(error)) from None
    if not any(counts.values()):
        raise Empty
    if any(counts[index] < entries for index, entries in listed.items()):
        raise Damaged("fewer packets than the sample tables list")
    content = out.getvalue()
    if demuxer == "mov":
        content = _without_icc_profiles(content)
    return content, content_type, extension


def _kept_streams(av, source):
    kept = [
        stream
        for stream in source.streams
        if stream.type in ("audio", "video")
        and not stream.disposition & av.stream.Disposition.attached_pic
    ]
    if not kept:
        raise Empty
    return kept


def _open_target(av, out, muxers, kept):
    """The first muxer that takes every kept stream, with its header written."""
    for muxer, content_type, extension in muxers:
        # The codec tag first as sent (hvc1 for HEVC, which Apple's players need, where the
        # muxer's default is hev1), then the muxer's own.
        for keep_tags in (True, False):
            target = av.open(out, "w", format=muxer, container_options=MUXER_OPTIONS)
            try:
                copies = {}
                for stream in kept:
                    copy = target.add_stream_from_template(stream)
                    if keep_tags:
                        copy.codec_context.codec_tag = stream.codec_context.codec_tag
                    copies[stream.index] = copy
                target.start_encoding()
            except (ValueError, av.FFmpegError):
                # Refused before its header was written: there is no trailer to write.
                with contextlib.suppress(av.FFmpegError):
                    target.close()
                out.seek(0)
                out.truncate()
                continue
            return target, copies, content_type, extension
    raise Damaged("no muxer takes these streams")


def _copy_packets(source, kept, target, copies, mime):
    counts = dict.fromkeys(copies, 0)
    # The limit in each stream's own ticks: a Fraction per packet would cost more than the
    # copy itself.
    last_tick = {
        s.index: MAX_SECONDS * s.time_base.denominator // s.time_base.numerator for s in kept
    }
    total = 0
    for packet in source.demux(kept):
        if packet.dts is None:
            continue  # the demuxer's empty packet at the end of each stream
        if packet.is_corrupt:
            raise Damaged("a packet cut short")
        index = packet.stream.index
        if max(packet.pts or 0, packet.dts) + (packet.duration or 0) > last_tick[index]:
            raise TooLong
        if mime == "audio/mpeg" and not _whole_mpeg_audio_frame(
            bytes(memoryview(packet)[:4]), packet.size
        ):
            # MP3 has no index: the demuxer hands over whatever follows the last frame
            # (an archive, a script, an APE tag) as one more packet. Only frames are kept.
            continue
        counts[index] += 1
        total += 1
        if total > MAX_PACKETS:
            raise TooLong
        packet.stream = copies[index]
        target.mux_one(packet)
    return counts


# Bit rates in kbit/s by (MPEG-1?, layer) and the header's 4-bit index (0: free, 15: invalid).
BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
BITRATES[(False, 3)] = BITRATES[(False, 2)]
# Sample rates by the header's 2-bit version (0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1).
SAMPLE_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}


def _whole_mpeg_audio_frame(header, size):
    """A packet of `size` bytes starting with `header` is one MPEG audio frame, of the length
    its header gives."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version, layer = (header[1] >> 3) & 3, 4 - ((header[1] >> 1) & 3)
    rate_index, padding = header[2] >> 4, (header[2] >> 1) & 1
    rate_ok = version in SAMPLE_RATES and (header[2] >> 2) & 3 != 3
    if not rate_ok or layer == 4 or rate_index in (0, 15):
        return False
    mpeg1 = version == 3
    bitrate = BITRATES[(mpeg1, layer)][rate_index] * 1000
    sample_rate = SAMPLE_RATES[version][(header[2] >> 2) & 3]
    if layer == 1:
        length = (12 * bitrate // sample_rate + padding) * 4
    else:
        length = (144 if mpeg1 or layer == 2 else 72) * bitrate // sample_rate + padding
    return size == length


# Where the children of each box on the way from the movie to a video's colour box begin.
CHILDREN_AT = {b"moov": 8, b"trak": 8, b"mdia": 8, b"minf": 8, b"stbl": 8, b"stsd": 16}
VISUAL_ENTRY_FIELDS = 86  # a video sample entry's header and fixed fields (ISO 14496-12)
ICC_COLOURS = (b"prof", b"rICC")


def _without_icc_profiles(content):
    """The written movie without the ICC profiles of its video tracks. An ICC profile can
    name the device and its maker (photos lose theirs too); the muxer copies it from the
    source with the track's other parameters, and PyAV offers no way to leave it out, so its
    box is cut from the finished file. Only the movie's tables shrink: FFmpeg writes them
    after the media data, so no offset of a sample moves."""
    cuts = sorted(_icc_boxes(content, 0, len(content)), key=lambda cut: -cut[1])
    if not cuts:
        return content
    media_end = max(
        (at + size for kind, at, size in _boxes(content, 0, len(content)) if kind == b"mdat"),
        default=0,
    )
    edited = bytearray(content)
    for holders, at, size in cuts:
        if at < media_end:
            raise Damaged("an ICC profile before the media data")
        del edited[at : at + size]
        for holder in holders:
            (holder_size,) = struct.unpack_from(">I", edited, holder)
            struct.pack_into(">I", edited, holder, holder_size - size)
    return bytes(edited)


def _boxes(data, start, end):
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        if size < 8 or start + size > end:
            raise Damaged("a box out of bounds in the written movie")
        yield kind, start, size
        start += size


def _icc_boxes(data, start, end, holders=(), video=False):
    """(offsets of the boxes holding it, offset, size) of each ICC colour box of a video."""
    for kind, at, size in _boxes(data, start, end):
        if kind == b"mdia":
            video = any(
                k == b"hdlr" and data[a + 16 : a + 20] == b"vide"
                for k, a, _size in _boxes(data, at + 8, at + size)
            )
        if kind in CHILDREN_AT:
            yield from _icc_boxes(data, at + CHILDREN_AT[kind], at + size, (*holders, at), video)
        elif video and holders and data[holders[-1] + 4 : holders[-1] + 8] == b"stsd":
            entry = (*holders, at)
            yield from _icc_boxes(data, at + VISUAL_ENTRY_FIELDS, at + size, entry, video)
        elif kind == b"colr" and data[at + 8 : at + 12] in ICC_COLOURS:
            yield holders, at, size
