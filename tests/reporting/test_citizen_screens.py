"""What a citizen reads on the report form, the receipt, the lookup and the status page: one
optional marker per optional field, an error state that says so in the title and reads
naturally in its summary, the question first on the status page, one name for the access key,
and markup the HTML checker accepts."""

import re
import sys
from pathlib import Path

from django.test import Client
from django.utils import translation

import pytest

import content.demo_pages
from portal.factories import UserFactory
from portal.templatetags.portal_tags import datetime_attribute
from reporting.intake import receipts
from reporting.lifecycle import reporter
from reporting.models import Clue, Party

from .helpers import receipt_codes, submit

pytestmark = pytest.mark.django_db

OPTIONAL = {"zh-hans": "（选填）", "en": "(optional)"}


def field_block(html, field_id):
    found = re.search(rf'id="{field_id}-field">(.*?)</div>', html, re.S)
    assert found, field_id
    return found.group(1)


def label_text(html, field_id):
    block = field_block(html, field_id)
    return re.search(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", block, re.S).group(1)


@pytest.mark.parametrize(("url", "language"), [("/report/", "zh-hans"), ("/en/report/", "en")])
def test_every_optional_field_says_so_once_and_required_fields_never(report_page, url, language):
    html, _ = report_page(url)
    marker = OPTIONAL[language]
    optional = [
        "id_region",
        "id_where",
        "id_reporter_name",
        "id_reporter_phone",
        "id_reporter_id_number",
        "id_reporter_contact_time",
        "id_evidence",
        # Every box of a person is optional: one can be described without a name.
        "id_party-0-name",
        "id_party-0-description",
        "id_party-0-role",
    ]
    for field_id in optional:
        assert label_text(html, field_id).count(marker) == 1, field_id
    for field_id in ("id_what_happened", "id_category", "id_captcha"):
        assert marker not in label_text(html, field_id), field_id
    # Not only in the marker's span: no label carries the word itself as well.
    assert html.count(marker) == html.count(f'<span class="optional">{marker}</span>')


def test_a_person_described_without_a_name_is_kept(client, report_page, valid_data):
    response = submit(
        client,
        report_page,
        valid_data,
        **{"party-0-name": "", "party-0-description": "左脸有疤的高个子", "party-0-role": ""},
    )
    assert response.status_code == 302
    assert list(Party.objects.values_list("name", "description")) == [("", "左脸有疤的高个子")]


def refused(client, report_page, valid_data, url):
    _, hidden = report_page(url)
    data = {
        **valid_data(what_happened="", category=None, agree=""),
        **hidden,
        "captcha_1": "wrong",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    return response.content.decode()


def title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def summary(html):
    return re.search(r'id="error-summary">(.*?)</div>', html, re.S).group(1)


@pytest.mark.parametrize(("url", "language"), [("/report/", "zh-hans"), ("/en/report/", "en")])
def test_the_error_state_says_error_first_in_the_title(
    client, report_page, valid_data, url, language
):
    with translation.override(language):
        page_title = translation.gettext("Report a clue")
        expected = translation.pgettext("page title", "Error: %(page_title)s") % {
            "page_title": page_title
        }
    html, _ = report_page(url)
    assert title(html).startswith(f"{page_title} ·")
    assert title(refused(client, report_page, valid_data, url)).startswith(f"{expected} ·")


def test_the_english_error_title_and_summary_read_naturally(client, report_page, valid_data):
    html = refused(client, report_page, valid_data, "/en/report/")
    assert title(html).startswith("Error: Report a clue ·")
    entries = re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary(html))
    assert "What happened: Tell us what happened." in entries
    assert any(entry.startswith("What kind of wrongdoing is it: ") for entry in entries)
    assert "?:" not in summary(html) and ".:" not in summary(html)


def test_the_chinese_error_summary_has_no_doubled_punctuation(client, report_page, valid_data):
    html = refused(client, report_page, valid_data, "/report/")
    entries = re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary(html))
    with translation.override("zh-hans"):
        label = translation.gettext("What happened?").rstrip("？?")
        error = translation.gettext("Tell us what happened.")
        joined = translation.pgettext("error summary", "%(label)s: %(error)s")
        agree = translation.gettext("I have read the notice above and report truthfully.")
    assert joined % {"label": label, "error": error} in entries
    # The checkbox's sentence loses its full stop before the colon.
    assert any(entry.startswith(agree.rstrip("。") + "：") for entry in entries), entries
    for doubled in ("？：", "？:", "?:", "：：", "：:", "。：", ".:"):
        assert doubled not in summary(html)


@pytest.fixture
def unlocked(client, report_page, valid_data):
    submit(client, report_page, valid_data)
    number, key = receipt_codes(client.get("/report/receipt/").content.decode())
    response = client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert response.status_code == 302
    return Clue.objects.get()


def status_page(client, url="/report/status/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_without_an_open_question_there_is_no_answer_box(client, unlocked):
    html = status_page(client)
    assert 'action="/report/status/reply/"' not in html
    assert 'name="body"' not in html
    assert re.search(r"<h1[^>]*>举报 \d{4} \d{4} \d{4}</h1>", html)


@pytest.mark.parametrize(
    ("url", "language"), [("/report/status/", "zh-hans"), ("/en/report/status/", "en")]
)
def test_an_open_question_leads_the_page_with_its_answer_box(client, unlocked, url, language):
    staff = UserFactory()
    reporter.ask_reporter(unlocked, "上门的人开什么车？", staff=staff)
    html = status_page(client, url)
    with translation.override(language):
        headline = translation.gettext("Staff have asked you a question: please answer")
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1) == headline
    question = html.index("上门的人开什么车？")
    box = html.index('name="body"')
    assert question < box < html.index('id="status-title"') < html.index('id="messages-title"')


def test_an_answered_question_closes_and_a_new_one_opens_again(client, unlocked):
    staff = UserFactory()
    reporter.ask_reporter(unlocked, "第一个问题？", staff=staff)
    client.post("/report/status/reply/", {"body": "第一个回答。"})
    html = status_page(client)
    assert 'name="body"' not in html
    assert "第一个问题？" in html  # still in the history of messages
    reporter.ask_reporter(unlocked, "第二个问题？", staff=staff)
    html = status_page(client)
    top = html[: html.index('id="status-title"')]
    assert "第二个问题？" in top and "第一个问题？" not in top
    assert 'name="body"' in top


def test_an_answer_sent_without_an_open_question_comes_back_with_its_error(client, unlocked):
    html = client.post("/report/status/reply/", {"body": ""}).content.decode()
    assert 'name="body"' in html
    assert "请先写下您的回答" in html


def test_time_elements_carry_valid_datetimes(client, unlocked):
    reporter.ask_reporter(unlocked, "问题？", staff=UserFactory())
    html = status_page(client)
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(values) >= 3
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), value


def test_datetime_attribute_drops_microseconds():
    from datetime import UTC, datetime

    value = datetime(2026, 12, 6, 4, 50, 16, 123456, tzinfo=UTC)
    assert datetime_attribute(value) == "2026-12-06T12:50:16+08:00"


def test_the_receipt_breaks_the_key_only_between_groups(client, report_page, valid_data):
    submit(client, report_page, valid_data)
    html = client.get("/report/receipt/").content.decode()
    shown = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    groups = shown.split("-\u200b")
    assert len(groups) == 5 and all(re.fullmatch(r"[0-9A-Z]{4}", g) for g in groups)
    # Typed from paper, pasted with the invisible spaces, or with spaces: the same key.
    assert receipts.normalize_access_key(shown) == "".join(groups)
    assert '<section class="receipt" aria-labelledby="receipt-title">' in html
    assert not re.search(r"<div[^>]*aria-labelledby", html)


def test_the_captcha_key_input_has_only_what_a_hidden_input_allows(report_page):
    html, _ = report_page()
    hidden = re.search(r'<input type="hidden" name="captcha_0"[^>]*>', html).group(0)
    assert "required" not in hidden and "autocomplete" not in hidden
    typed = re.search(r'<input type="text" name="captcha_1"[^>]*>', html).group(0)
    assert "required" in typed


def test_the_new_picture_button_sits_beside_the_picture_before_sending(report_page):
    html, _ = report_page()
    picture = html.index('class="captcha__image"')
    refresh = html.index('name="refresh_captcha"')
    send = html.rindex('class="button button--primary"')
    assert picture < refresh < send
    assert re.search(r'<button [^>]*name="refresh_captcha"[^>]*button--quiet', html)


@pytest.mark.parametrize("url", ["/report/status/", "/en/report/status/"])
def test_the_lookup_offers_a_show_key_toggle_that_needs_no_inline_script(client, site_tree, url):
    html = Client().get(url).content.decode()
    button = re.search(r"<button [^>]*data-reveal[^>]*>", html).group(0)
    assert 'aria-controls="id_access_key"' in button
    assert 'aria-pressed="false"' in button
    assert " hidden" in button  # shown by the script only: without it the box just works
    assert 'type="password" name="access_key"' in html
    assert re.search(r'<script src="/static/js/reveal[^"]*\.js" defer></script>', html)
    assert not re.search(r"<script>(?!</script>)", html)


def test_one_name_for_the_access_key_in_public_pages_and_demo_content(client, unlocked):
    html = status_page(client)
    lookup = Client().get("/report/status/").content.decode()
    form = Client().get("/report/").content.decode()
    for page in (html, lookup, form):
        assert "访问密钥" not in page
    assert "查询码" in lookup
    for spec in content.demo_pages.PAGES:
        assert "访问密钥" not in repr(spec["zh"])
        english = repr(spec["en"]).lower()
        assert "secret key" not in english and "access code" not in english


def test_a_demo_page_loaded_before_a_wording_change_is_corrected_unless_edited(site_tree):
    pages = content.demo_pages.load()
    guide, privacy = pages["guide"], pages["privacy"]
    for page in (guide, privacy):
        page.intro = "旧的访问密钥说明"
        page.save_revision().publish()
    editor = UserFactory()
    privacy.intro = "编辑改过的访问密钥说明"
    privacy.save_revision(user=editor).publish()

    content.demo_pages.load()
    guide.refresh_from_db()
    privacy.refresh_from_db()
    assert "访问密钥" not in guide.intro
    assert privacy.intro == "编辑改过的访问密钥说明"
    revisions = guide.revisions.count()
    content.demo_pages.load()  # nothing changed: no new revision
    assert guide.revisions.count() == revisions


@pytest.mark.parametrize(
    ("context", "msgid", "starts_or_joins"),
    [
        ("error summary", "%(label)s: %(error)s", "%(label)s：%(error)s"),
        ("page title", "Error: %(page_title)s", "错误：%(page_title)s"),
    ],
)
def test_chinese_formats_use_the_full_width_colon(context, msgid, starts_or_joins):
    """The Chinese error title and summary join with "：", never an ASCII colon. Checked on
    the catalogue itself (tests/test_translations.py requires every entry to be there)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import translations

    path = translations.CATALOGUES["zh_Hans"]
    entries = {
        (translations.value(e, "msgctxt"), translations.value(e, "msgid")): e
        for e in translations.parse(path.read_text())
    }
    entry = entries.get((context, msgid))
    if entry is None:
        pytest.skip("not yet in the catalogue: tests/test_translations.py reports it")
    assert translations.value(entry, "msgstr") == starts_or_joins
