"""The report form's fields: answers refused next to their field, values a poster's link
fills in, more people without JavaScript, the captcha read aloud."""

import re

from django.core.validators import ProhibitNullCharactersValidator
from django.utils import translation

import pytest

from reporting.models import Category, Clue

from .helpers import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"what_happened": ""}, "what_happened", "请告诉我们发生了什么"),
        ({"what_happened": "长" * 10_001}, "what_happened", "10000"),
        ({"category": "999999"}, "category", "选择"),
        ({"when": "date"}, "when_start", "请输入日期"),
        (
            {"when": "period", "when_start": "2025-05-02", "when_end": "2025-05-01"},
            "when_end",
            "早于",
        ),
        ({"when": "date", "when_start": "2999-01-01"}, "when_start", "将来"),
        ({"when": "date", "when_start": "not-a-date"}, "when_start", "日期"),
        ({"identity": "named", "reporter_name": "张三"}, "reporter_phone", "电话"),
        (
            {"identity": "named", "reporter_name": "张三", "reporter_phone": "abc"},
            "reporter_phone",
            "电话",
        ),
        (
            {
                "identity": "named",
                "reporter_name": "张三",
                "reporter_phone": "13800138000",
                "reporter_id_number": "110101199003071234",
            },
            "reporter_id_number",
            "身份证",
        ),
        ({"agree": None}, "agree", "请确认"),
        ({"region": "999999"}, "region", "选择"),
        ({"party-TOTAL_FORMS": "50"}, None, None),
    ],
)
def test_bad_answers_are_refused_next_to_the_field(
    client, report_page, valid_data, overrides, field, message
):
    response = submit(client, report_page, valid_data, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    if field:
        block = re.search(rf'id="id_{field}-field".*?</div>', html, re.S).group(0)
        assert message in block, block
    assert not Clue.objects.exists()


def test_query_string_preselects_category_region_and_entry(report_page):
    html, _ = report_page("/report/?category=market-bullies&region=440106&entry=BUS42")
    market = Category.objects.get(slug="market-bullies").pk
    assert re.search(rf'value="{market}"[^>]*checked', html)
    assert re.search(r'<option value="440106" selected>', html)
    assert 'name="entry" value="BUS42"' in html


def test_unknown_query_values_are_ignored(report_page):
    html, _ = report_page("/report/?category=nope&region=<script>&entry=%01bad%22")
    category_block = re.search(r'id="id_category-field".*?</fieldset>', html, re.S).group(0)
    assert "checked" not in category_block
    assert '<option value="" selected>' in html
    assert '<input type="hidden" name="entry" id="id_entry">' in html
    assert "<script>" not in html


def test_captcha_can_be_heard_in_mandarin(client, report_page):
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed here (scripts/test installs it as root)")
    html, _ = report_page()
    audio = re.search(r'href="(/captcha/audio/[^"]+)"', html).group(1)
    response = client.get(audio)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert len(body) > 10_000  # four spoken characters, not an empty file


def test_without_a_speech_engine_the_form_says_audio_is_unavailable(report_page, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)
    html, _ = report_page()
    assert "/captcha/audio/" not in html
    assert "本服务器暂不提供语音验证码" in html


@pytest.mark.parametrize(
    "query", ["?category=%01", "?region=%1B", "?entry=%7F", "?category=" + "x" * 5000]
)
def test_control_characters_in_poster_links_are_ignored(report_page, query):
    html, _ = report_page("/report/" + query)
    assert '<option value="" selected>' in html


@pytest.mark.parametrize("query", ["?category=%00", "?region=%00", "?entry=%00", "?x%00=1"])
def test_a_nul_in_a_poster_link_is_refused(client, query):
    """No printed link holds a NUL, and PostgreSQL refuses one in a query
    (portal.middleware)."""
    response = client.get("/report/" + query)
    assert response.status_code == 400
    assert "电话举报请拨打全国举报电话" in response.content.decode()  # the portal's page


def test_another_person_can_be_added_without_javascript(client, report_page, valid_data):
    _, hidden = report_page()
    data = {**valid_data(), **hidden, "add_party": "1"}
    data.pop("captcha_1")
    html = client.post("/report/", data).content.decode()
    assert 'name="party-2-name"' in html
    assert 'value="刀疤强"' in html
    assert "field__error" not in html


def test_enter_sends_the_report_rather_than_another_button(report_page):
    html, _ = report_page()
    form = html[html.index('<form method="post" action="/report/"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert "name=" not in first_button  # the plain send button, not refresh or add


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        ('=HYPERLINK("http://x")', ""),
        ("@SUM(1)", ""),
        ("-2+3", ""),
        ("A" * 5000, ""),
        ("TS\x00MKT2", ""),
        ("ＴＳＭＫＴ２", ""),  # full-width letters are not a printed code
        ("ABCDEFGHJKMNP", ""),  # longer than any code
        ("ZZZZZ9", "ZZZZZ9"),  # the right shape, though no poster has it
        (" tsmkt2 ", "TSMKT2"),  # typed by hand into a link
    ],
)
def test_a_poster_code_of_another_shape_is_dropped_and_the_report_kept(
    client, report_page, valid_data, entry, kept
):
    """The reporter never sees the hidden poster code and could not correct it: a value that
    is not a code is dropped, the report is stored with everything its writer sent."""
    response = submit(client, report_page, valid_data, entry=entry)
    assert response.status_code == 302
    clue = Clue.objects.get()
    assert clue.entry_code == kept
    assert clue.what_happened == valid_data()["what_happened"]
    assert clue.parties.get().name == "刀疤强"


def test_a_dropped_poster_code_is_not_written_back_into_the_page(client, report_page, valid_data):
    _, hidden = report_page()
    data = {**valid_data(what_happened=""), **hidden, "entry": "@SUM(1)"}
    html = client.post("/report/", data).content.decode()
    assert '<input type="hidden" name="entry" id="id_entry">' in html
    assert "SUM" not in html
    data["entry"] = "TSMKT2"
    html = client.post("/report/", data).content.decode()
    assert 'name="entry" value="TSMKT2"' in html


@pytest.mark.parametrize(
    ("query", "value"),
    [("?entry=tsmkt2", "TSMKT2"), ("?entry=%3DHYPERLINK(1)", None), ("?entry=%40SUM(1)", None)],
)
def test_a_poster_link_fills_in_only_a_code(report_page, query, value):
    html, _ = report_page("/report/" + query)
    if value:
        assert f'name="entry" value="{value}"' in html
    else:
        assert '<input type="hidden" name="entry" id="id_entry">' in html


@pytest.mark.parametrize(
    ("field", "block"),
    [
        ("what_happened", "what_happened"),
        ("where", "where"),
        ("shield_details", "shield_details"),
        ("party-0-name", "party-0-name"),
        ("party-0-description", "party-0-description"),
    ],
)
def test_a_nul_in_a_report_field_is_an_error_at_that_field(
    client, report_page, valid_data, field, block
):
    """Django's text fields refuse a NUL with a message at the field; everything else the
    reporter wrote comes back in the page, and nothing is stored."""
    response = submit(client, report_page, valid_data, **{field: "砸坏\x00玻璃"})
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("zh-hans"):
        message = str(ProhibitNullCharactersValidator.message)
    found = re.search(rf'id="id_{block}-field".*?</div>', html, re.S)
    assert found and message in found.group(0), field
    assert "刀疤强" in html or field == "party-0-name"
    assert "暴力催收" in html or field == "what_happened"
    assert not Clue.objects.exists()
