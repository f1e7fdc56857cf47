import gc
import hashlib
import io
import re
import shutil

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

import pypdf
import pytest
from PIL import Image, ImageOps

from reporting.evidence import staging
from reporting.models import Clue, Evidence

from . import samples

pytestmark = pytest.mark.django_db


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_report(client, report_page, valid_data, files=(), **overrides):
    _, hidden = report_page()
    data = {**valid_data(**overrides), **hidden}
    if files:
        data["evidence"] = list(files)
    return client.post("/report/", data)


def same_form(hidden):
    """What the page of a refused attempt carries over: the form's token and time stamp."""
    return {"submission_token": hidden["submission_token"], "issued": hidden["issued"]}


def stored_bytes(item):
    with item.file.open("rb") as handle:
        return handle.read()


def test_photos_lose_gps_device_and_time_but_stay_upright(client, report_page, valid_data):
    original = samples.jpeg_with_gps()
    response = post_report(
        client,
        report_page,
        valid_data,
        files=[upload("IMG_张三家门口.jpg", original, "image/jpeg")],
    )
    assert response.status_code == 302
    item = Evidence.objects.get()
    data = stored_bytes(item)
    image = Image.open(io.BytesIO(data))
    # The pixels are the ones taken; of the EXIF only the orientation is left, so the photo
    # still shows upright.
    assert dict(image.getexif()) == {0x0112: 6}
    assert "comment" not in image.info
    assert ImageOps.exif_transpose(image).size == (240, 320)
    assert image.tobytes() == Image.open(io.BytesIO(original)).tobytes()
    assert b"PhoneMaker" not in data and b"secret comment" not in data
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.original_sha256 == hashlib.sha256(original).hexdigest()
    assert item.size == len(data) and item.original_size == len(original)
    assert item.metadata_removed and item.kind == "image"
    assert "张三" not in item.file.name and item.file.name.endswith(".jpg")


def test_evidence_lives_outside_every_public_folder(client, report_page, valid_data):
    post_report(client, report_page, valid_data, files=[upload("a.png", samples.png_with_text())])
    item = Evidence.objects.get()
    path = item.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no URL"):
        item.file.url  # noqa: B018
    assert client.get("/media/" + item.file.name).status_code == 404


@pytest.mark.parametrize(
    ("name", "make", "kind", "extension"),
    [
        ("a.png", samples.png_with_text, "image", "png"),
        ("b.webp", samples.webp, "image", "webp"),
        ("c.heic", samples.heic, "image", "jpg"),
        ("d.wav", samples.wav, "audio", "wav"),
        ("e.pdf", samples.pdf_with_metadata, "document", "pdf"),
    ],
)
def test_accepted_types_by_content(client, report_page, valid_data, name, make, kind, extension):
    response = post_report(client, report_page, valid_data, files=[upload(name, make())])
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.extension) == (kind, extension)
    data = stored_bytes(item)
    for secret in (b"Reporter Name", b"PhoneMaker", b"XMPSECRET"):
        assert secret not in data
    if kind == "image":
        assert not Image.open(io.BytesIO(data)).getexif()
    if kind == "document":
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert not reader.metadata or "/Author" not in reader.metadata
        assert b"PC-ZHANG" not in data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", samples.ELF_EXECUTABLE, "不是可接收的"),
        ("notes.jpg", b"just some text pretending to be a photo", "不是可接收的"),
        ("broken.jpg", samples.jpeg_with_gps()[:600], "已损坏或不完整"),
        ("bomb.png", samples.png_bomb(), "图像尺寸过大"),
        ("empty.pdf", b"", "是空文件"),
    ],
)
def test_bad_files_are_refused_by_name_and_nothing_is_lost(
    client, report_page, valid_data, name, data, message
):
    response = post_report(client, report_page, valid_data, files=[upload(name, data)])
    html = response.content.decode()
    assert response.status_code == 400
    block = re.search(r'id="id_evidence-field".*?</div>', html, re.S).group(0)
    assert name in block and message in block
    assert "每月有人上门暴力催收" in html
    assert not Clue.objects.exists()


@override_settings(EVIDENCE_MAX_FILE_BYTES=50_000, EVIDENCE_MAX_FILES=2)
def test_size_and_count_limits_name_the_file(client, report_page, valid_data):
    big = samples.wav(seconds=5)  # ~80 kB
    files = [
        upload("big.wav", big),
        upload("one.png", samples.png_with_text()),
        upload("two.webp", samples.webp()),
        upload("three.png", samples.png_with_text()),
    ]
    response = post_report(client, report_page, valid_data, files=files)
    html = response.content.decode()
    assert response.status_code == 400
    assert "“big.wav”超过了" in html
    assert "最多上传 2 个文件：“three.png”未被接收" in html
    assert not Clue.objects.exists()


def test_good_files_are_kept_across_a_failed_attempt(
    client, report_page, valid_data, django_capture_on_commit_callbacks
):
    _, hidden = report_page()
    bad_captcha = {**valid_data(), **hidden, "captcha_1": "nope"}
    bad_captcha["evidence"] = [upload("kept.png", samples.png_with_text())]
    first = client.post("/report/", bad_captcha)
    html = first.content.decode()
    assert first.status_code == 400
    assert "上次提交时保留的文件" in html and "kept.png" in html
    assert "通过检查的文件也已保留" in html

    _, fresh = report_page()
    # The same form again with a new captcha: its own token and time stamp.
    retry = {**valid_data(), **fresh, **same_form(hidden)}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/report/", retry).status_code == 302
    clue = Clue.objects.get()
    assert clue.evidence.count() == 1
    assert staging.staged(hidden["submission_token"]) == []


def test_a_kept_file_can_be_removed_before_sending(client, report_page, valid_data):
    _, hidden = report_page()
    attempt = {**valid_data(), **hidden, "captcha_1": "nope"}
    attempt["evidence"] = [upload("unwanted.png", samples.png_with_text())]
    html = client.post("/report/", attempt).content.decode()
    file_id = re.search(r'name="remove_staged" value="([0-9a-f]+)"', html).group(1)

    _, fresh = report_page()
    retry = {**valid_data(), **fresh, **same_form(hidden), "remove_staged": [file_id]}
    assert client.post("/report/", retry).status_code == 302
    assert Clue.objects.get().evidence.count() == 0


def test_storage_failure_keeps_the_text_and_leaves_no_half_clue(client, report_page, valid_data):
    private = settings.PRIVATE_MEDIA_ROOT
    shutil.rmtree(private, ignore_errors=True)
    private.write_bytes(b"")  # a file where the folder should be: every write fails
    try:
        response = post_report(
            client, report_page, valid_data, files=[upload("a.png", samples.png_with_text())]
        )
    finally:
        private.unlink()
    html = response.content.decode()
    assert response.status_code == 503
    assert "暂时无法保存您的文件" in html
    assert "每月有人上门暴力催收" in html
    assert not Clue.objects.exists()
    assert not Evidence.objects.exists()


@override_settings(EVIDENCE_KEEP_ORIGINALS=True)
def test_originals_are_kept_only_encrypted_when_asked(client, report_page, valid_data):
    original = samples.jpeg_with_gps()
    post_report(client, report_page, valid_data, files=[upload("a.jpg", original)])
    item = Evidence.objects.get()
    with item.original_file.open("rb") as handle:
        sealed = handle.read()
    assert b"PhoneMaker" not in sealed
    from reporting.evidence import crypto

    assert crypto.open_bytes(sealed) == original


def test_an_empty_file_is_named_and_the_good_ones_are_kept(client, report_page, valid_data):
    _, hidden = report_page()
    data = {**valid_data(), **hidden}
    data["evidence"] = [upload("good.png", samples.png_with_text()), upload("empty.jpg", b"")]
    html = client.post("/report/", data).content.decode()
    assert "“empty.jpg”是空文件" in html
    assert "good.png" in re.search(r'id="staged-files".*?</div>', html, re.S).group(0)


def test_failed_attempts_cannot_pile_up_staged_files(client, report_page, valid_data, settings):
    settings.EVIDENCE_MAX_FILES = 3
    _, hidden = report_page()
    for _attempt in range(3):
        _, fresh = report_page()
        data = {
            **valid_data(),
            **fresh,
            "captcha_1": "wrong",
            **same_form(hidden),
        }
        data["evidence"] = [upload(f"f{n}.png", samples.png_with_text()) for n in range(2)]
        client.post("/report/", data)
    assert len(staging.staged(hidden["submission_token"])) == 3
    # The names a device gave the files are not on disk in clear.
    for path in (settings.PRIVATE_MEDIA_ROOT / "staging").rglob("*"):
        if path.is_file():
            assert b"f0.png" not in path.read_bytes()


def test_heif_brands_filetype_does_not_know_are_photos():
    from reporting.evidence import checks as pipeline

    data = bytearray(samples.heic())
    data[8:12] = b"heix"
    processed = pipeline.process("phone.heic", bytes(data))
    assert processed.kind == "image" and processed.extension == "jpg"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("song.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + samples.ELF_EXECUTABLE),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom#!/bin/sh\nreboot\n"),
        ("voice.amr", b"#!AMR\n"),
        # Found by the bad-upload corpus (tests/hostile): the magic alone was checked, so a
        # script behind it was stored as a recording.
        ("voice.amr", b"#!AMR\n<script>alert(1)</script>"),
        ("voice.amr", samples.amr() + b"#!/bin/sh\nreboot\n"),
        ("voice.amr", samples.amr()[:-7]),
    ],
)
def test_media_that_only_starts_like_media_is_refused(name, data):
    from reporting.evidence import checks as pipeline

    with pytest.raises(pipeline.EvidenceError, match=name):
        pipeline.process(name, data)


def test_a_real_recording_is_accepted():
    from reporting.evidence import checks as pipeline

    assert pipeline.process("voice.wav", samples.wav()).kind == "audio"
    for data in (samples.amr(), samples.amr(wideband=True)):
        processed = pipeline.process("voice.amr", data)
        assert processed.kind == "audio" and processed.content == data


def test_a_wav_keeps_its_sound_and_loses_its_tags_and_anything_appended():
    """Found by the bad-upload corpus: a WAV was kept as sent, with an INFO chunk naming its
    owner or a ZIP archive behind it."""
    import mutagen

    from reporting.evidence import checks as pipeline

    sound = samples.wav()
    info = b"INFOIART" + (14).to_bytes(4, "little") + b"Reporter Name\x00"
    body = sound[12:] + b"LIST" + len(info).to_bytes(4, "little") + info
    tagged = b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WAVE" + body
    for data in (tagged, sound + b"PK\x03\x04 an archive"):
        processed = pipeline.process("voice.wav", data)
        assert processed.content == sound and processed.metadata_removed
        assert mutagen.File(io.BytesIO(processed.content)).info.length > 0


def test_a_pdf_loses_its_scripts_and_program_launches_but_keeps_its_links():
    """Found by the bad-upload corpus: scripts on a page and on its annotations were kept."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    from reporting.evidence import checks as pipeline

    def action(kind, **entries):
        return DictionaryObject(
            {NameObject("/S"): NameObject(kind)}
            | {NameObject(f"/{k}"): TextStringObject(v) for k, v in entries.items()}
        )

    def annotation(**entries):
        return DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
            }
            | {NameObject(f"/{k}"): v for k, v in entries.items()}
        )

    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    page[NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): action("/JavaScript", JS="PAGE-JS")}
    )
    page[NameObject("/Annots")] = ArrayObject(
        [
            writer._add_object(annotation(A=action("/Launch", F="LAUNCH.exe"))),
            writer._add_object(annotation(A=action("/URI", URI="https://example.org/KEPT"))),
            writer._add_object(
                annotation(
                    AA=DictionaryObject({NameObject("/E"): action("/JavaScript", JS="ANNOT-JS")})
                )
            ),
        ]
    )
    out = io.BytesIO()
    writer.write(out)
    stored = pipeline.process("a.pdf", out.getvalue()).content
    for gone in (b"PAGE-JS", b"LAUNCH.exe", b"ANNOT-JS", b"/JavaScript", b"/Launch"):
        assert gone not in stored
    kept = pypdf.PdfReader(io.BytesIO(stored)).pages[0]["/Annots"]
    links = [a.get_object()["/A"]["/URI"] for a in kept if "/A" in a.get_object()]
    assert links == ["https://example.org/KEPT"]


def _live_processed_files():
    from reporting.evidence.checks import ProcessedFile

    return [item for item in gc.get_objects() if type(item) is ProcessedFile]


@pytest.mark.parametrize("complete", [True, False], ids=["sent", "refused"])
def test_checked_photos_are_let_go_when_the_answer_is_written(
    client, report_page, valid_data, complete
):
    """The request and its forms sit in reference cycles that only the garbage collector
    breaks, and workers run it rarely (gunicorn.conf.py): a photo's copies must not wait for
    it in the worker's memory."""
    gc.collect()
    gc.disable()
    try:
        overrides = {} if complete else {"what_happened": ""}
        photo = upload("p.jpg", samples.jpeg_with_gps(), "image/jpeg")
        response = post_report(client, report_page, valid_data, files=[photo], **overrides)
        assert response.status_code == (302 if complete else 400)
        assert response.wsgi_request.evidence_checked == []
        assert _live_processed_files() == []
    finally:
        gc.enable()
