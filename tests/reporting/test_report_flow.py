import re
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from portal.factories import SuperuserFactory
from reporting.lifecycle import reporter, submission
from reporting.models import Category, Clue, Party

pytestmark = pytest.mark.django_db


def receipt_codes(html):
    number = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html).group(1)
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    return number, key


def submit(client, report_page, valid_data, url="/report/", **overrides):
    _, hidden = report_page(url)
    return client.post(url, {**valid_data(**overrides), **hidden})


def test_form_is_served_in_both_languages(client, report_page):
    html, _ = report_page("/report/")
    assert '<html lang="zh-Hans">' in html
    assert "举报线索" in html
    assert 'src="/captcha/image/' in html
    assert 'alt="需要输入的字符图片"' in html
    assert 'name="refresh_captcha"' in html
    en, _ = report_page("/en/report/")
    assert '<html lang="en">' in en
    assert "What happened?" in en


def test_a_valid_report_gives_a_receipt_once(client, report_page, valid_data):
    response = submit(client, report_page, valid_data)
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    assert receipt["Referrer-Policy"] == "no-referrer"
    number, key = receipt_codes(receipt.content.decode())

    clue = Clue.objects.get()
    assert number.replace(" ", "") == clue.tracking_number
    assert key.replace("-", "") not in clue.access_key_hash
    assert clue.category.slug == "routine-loans"
    assert clue.region.code == "130200"
    assert clue.language == "zh-hans"
    assert [p.name for p in Party.objects.all()] == ["刀疤强"]
    assert clue.acknowledge_due_at - clue.created_at == timedelta(days=7)
    assert clue.feedback_due_at - clue.created_at == timedelta(days=90)

    # Shown once: the key is no longer anywhere once the receipt was displayed.
    again = client.get("/report/receipt/")
    assert again.status_code == 302
    assert again["Location"].endswith("/report/status/")

    status = client.post(
        "/report/status/", {"tracking_number": number, "access_key": key}, follow=True
    )
    assert status.status_code == 200
    assert "已收到" in status.content.decode()
    assert key not in status.redirect_chain[0][0]


def test_english_report_gets_an_english_receipt(client, report_page, valid_data):
    response = submit(client, report_page, valid_data, url="/en/report/")
    assert response["Location"] == "/en/report/receipt/"
    html = client.get(response["Location"]).content.decode()
    assert "Your report has been received" in html
    assert Clue.objects.get().language == "en"


def test_wrong_captcha_keeps_every_answer_and_says_so(client, report_page, valid_data):
    _, hidden = report_page()
    hidden["captcha_1"] = "wrong"
    response = client.post("/report/", {**valid_data(), **hidden})
    html = response.content.decode()
    assert response.status_code == 400
    assert "字符不匹配" in html
    assert "每月有人上门暴力催收" in html
    assert 'value="刀疤强"' in html
    assert "您填写的内容都已保留" in html
    assert not Clue.objects.exists()


def test_a_captcha_cannot_be_replayed(client, report_page, valid_data):
    _, hidden = report_page()
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 302
    replay = {**hidden, "submission_token": "another-token-for-a-second-report"}
    response = client.post("/report/", {**valid_data(), **replay})
    assert response.status_code == 400
    assert Clue.objects.count() == 1


def test_an_expired_captcha_is_refused(client, report_page, valid_data):
    _, hidden = report_page()
    CaptchaStore.objects.filter(hashkey=hidden["captcha_0"]).update(
        expiration=timezone.now() - timedelta(seconds=1)
    )
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 400
    assert not Clue.objects.exists()


def test_double_submission_creates_one_clue(client, report_page, valid_data):
    _, hidden = report_page()
    first = client.post("/report/", {**valid_data(), **hidden})
    # The second click carries the same token; its captcha was consumed, so give it a new one.
    _, fresh = report_page()
    same_form = {"submission_token": hidden["submission_token"], "issued": hidden["issued"]}
    second = client.post("/report/", {**valid_data(), **fresh, **same_form})
    assert first.status_code == second.status_code == 302
    assert Clue.objects.count() == 1
    assert receipt_codes(client.get("/report/receipt/").content.decode())


def test_a_tracking_number_drawn_twice_is_drawn_again(
    client, report_page, valid_data, monkeypatch
):
    """The unique constraint, not a look beforehand, finds a number already given out."""
    _, hidden = report_page()
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 302
    taken = Clue.objects.get().tracking_number
    draws = iter([taken, taken, "123456789018"])
    monkeypatch.setattr(submission, "new_tracking_number", lambda: next(draws))
    _, hidden = report_page()
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 302
    assert sorted(Clue.objects.values_list("tracking_number", flat=True)) == sorted(
        [taken, "123456789018"]
    )
    assert next(draws, None) is None


def test_refreshing_the_captcha_keeps_answers_without_errors(client, report_page, valid_data):
    _, hidden = report_page()
    data = {**valid_data(what_happened="新的线索内容"), **hidden, "refresh_captcha": "1"}
    data.pop("captcha_1")
    response = client.post("/report/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "新的线索内容" in html
    assert "field__error" not in html
    assert re.search(r'name="captcha_0" value="([^"]+)"', html).group(1) != hidden["captcha_0"]


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
    html, _ = report_page("/report/?category=nope&region=<script>&entry=%00bad%22")
    category_block = re.search(r'id="id_category-field".*?</fieldset>', html, re.S).group(0)
    assert "checked" not in category_block
    assert '<option value="" selected>' in html
    assert '<input type="hidden" name="entry" id="id_entry">' in html
    assert "<script>" not in html


def test_named_reporter_details_are_encrypted_at_rest(client, report_page, valid_data):
    response = submit(
        client,
        report_page,
        valid_data,
        identity="named",
        reporter_name="王小明",
        reporter_phone="13912345678",
        reporter_id_number="11010519491231002X",
        reporter_contact_time="晚上",
    )
    assert response.status_code == 302
    clue = Clue.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reporting_clue")
        raw = repr(cursor.fetchall())
    for secret in ("王小明", "13912345678", "11010519491231002X", "\\u738b"):
        assert secret not in raw
    assert reporter.reporter_details(clue) == {
        "name": "王小明",
        "phone": "13912345678",
        "id_number": "11010519491231002X",
        "contact_time": "晚上",
    }
    assert clue.identity == "named"


def test_no_client_address_is_stored_anywhere(client, report_page, valid_data):
    _, hidden = report_page()
    client.post("/report/", {**valid_data(), **hidden}, REMOTE_ADDR="203.0.113.77")
    assert Clue.objects.count() == 1
    out = StringIO()
    call_command("dumpdata", stdout=out)
    assert "203.0.113.77" not in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_intake_is_emailed_a_link_and_nothing_of_the_clue(client, report_page, valid_data):
    SuperuserFactory(username="intake", email="intake@example.test")
    submit(client, report_page, valid_data)
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["intake@example.test"]
    assert "https://portal.example.test/admin/" in message.body
    for content in ("暴力催收", "刀疤强", Clue.objects.get().tracking_number):
        assert content not in message.body + message.subject


def test_status_gives_one_answer_for_every_mismatch_and_locks(client, report_page, valid_data):
    submit(client, report_page, valid_data)
    number, key = receipt_codes(client.get("/report/receipt/").content.decode())
    wrong = client.post("/report/status/", {"tracking_number": number, "access_key": "X" * 20})
    assert wrong.status_code == 400
    generic = "跟踪编号和查询码与任何举报都不匹配"
    assert generic in wrong.content.decode()
    from reporting.intake.receipts import new_tracking_number

    unknown = client.post(
        "/report/status/", {"tracking_number": new_tracking_number(), "access_key": key}
    )
    assert generic in unknown.content.decode()
    for _ in range(4):
        client.post("/report/status/", {"tracking_number": number, "access_key": "Y" * 20})
    locked = client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert locked.status_code == 429
    assert "已收到" not in locked.content.decode()


def test_status_catches_typing_errors_in_the_tracking_number(client, site_tree):
    response = client.post(
        "/report/status/", {"tracking_number": "1234 5678 9012", "access_key": "x"}
    )
    assert response.status_code == 400
    assert "输入有误" in response.content.decode()


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


def test_double_click_whose_first_response_is_lost_still_shows_the_receipt_once(
    report_page, valid_data, client
):
    """The second click carries the same form but not the cookies of the first response."""
    from django.test import Client

    _, hidden = report_page()
    body = {**valid_data(), **hidden}
    first = Client().post("/report/", body)
    second_browser = Client()
    second = second_browser.post("/report/", body)  # captcha already used: must not matter
    assert first.status_code == second.status_code == 302
    receipt = second_browser.get(second["Location"])
    number, _key = receipt_codes(receipt.content.decode())
    assert Clue.objects.count() == 1
    assert number.replace(" ", "") == Clue.objects.get().tracking_number
    again = second_browser.get("/report/receipt/")
    assert again.status_code == 302  # shown once


def test_the_access_key_is_never_stored_in_clear(client, report_page, valid_data):
    from django.contrib.sessions.models import Session

    from reporting.models import ReceiptHandoff

    submit(client, report_page, valid_data)
    for session in Session.objects.all():
        assert "access_key" not in str(session.get_decoded())
    handoff = ReceiptHandoff.objects.get()
    _number, key = receipt_codes(client.get("/report/receipt/").content.decode())
    assert key.replace("-", "").encode() not in bytes(handoff.sealed)
    assert not ReceiptHandoff.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queue_failure_after_the_commit_loses_nothing(client, report_page, valid_data, settings):
    """With the task queue down, the report and its files stay, and the receipt is shown."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import samples

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    _, hidden = report_page()
    data = {**valid_data(), **hidden}
    data["evidence"] = [SimpleUploadedFile("a.png", samples.png_with_text())]
    response = client.post("/report/", data)
    assert response.status_code == 302
    assert receipt_codes(client.get(response["Location"]).content.decode())
    item = Clue.objects.get().evidence.get()
    assert item.file.storage.exists(item.file.name)


def test_guessing_is_slowed_then_stopped(client, report_page, valid_data):
    submit(client, report_page, valid_data)
    number, _key = receipt_codes(client.get("/report/receipt/").content.decode())
    statuses = []
    for _attempt in range(4):
        response = client.post(
            "/report/status/", {"tracking_number": number, "access_key": "Z" * 20}
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    assert "秒后再试" in response.content.decode()


def test_rate_limits_follow_the_client_behind_the_proxy(rf, settings):
    from reporting.intake import throttle

    settings.TRUSTED_PROXY_HOPS = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert throttle.client_address(request) == "198.51.100.4"
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.4")
    assert throttle.client_address(spoofed) == "198.51.100.4"
    settings.TRUSTED_PROXY_HOPS = 0
    assert throttle.client_address(request) == "10.0.0.2"


@pytest.mark.parametrize(
    "query", ["?category=%00", "?region=%00", "?entry=%00", "?category=" + "x" * 5000]
)
def test_control_characters_in_poster_links_are_ignored(report_page, query):
    html, _ = report_page("/report/" + query)
    assert '<option value="" selected>' in html


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


def test_a_token_that_is_not_ours_is_refused(client, report_page, valid_data):
    _, hidden = report_page()
    hidden["submission_token"] = "../../etc/passwd-" + "a" * 30
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 400
    assert not Clue.objects.exists()


def test_a_receipt_waiting_in_the_session_of_an_earlier_version_is_still_shown_once(
    client, report_page, valid_data
):
    """A browser between its report and its receipt when the portal was upgraded holds the
    receipt's token in its session rather than in the cookie: it still gets its receipt."""
    from reporting.intake.views.report import RECEIPT_COOKIE, RECEIPT_SESSION_KEY

    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(), **hidden})
    assert response.status_code == 302
    del client.cookies[RECEIPT_COOKIE]
    session = client.session
    session[RECEIPT_SESSION_KEY] = hidden["submission_token"]
    session.save()
    number, _key = receipt_codes(client.get(response["Location"]).content.decode())
    assert number.replace(" ", "") == Clue.objects.get().tracking_number
    assert RECEIPT_SESSION_KEY not in client.session
    assert client.get(response["Location"]).status_code == 302


def test_the_receipt_cookie_names_only_the_form_and_goes_only_to_the_receipt(
    client, report_page, valid_data
):
    from reporting.intake.views.report import RECEIPT_COOKIE

    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(), **hidden})
    cookie = response.cookies[RECEIPT_COOKIE]
    assert cookie["path"] == response["Location"] == "/report/receipt/"
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] == 600
    assert cookie.value.split(":")[0] == hidden["submission_token"]
    page = client.get(response["Location"])
    _number, key = receipt_codes(page.content.decode())
    assert key.replace("-", "") not in cookie.value
    assert page.cookies[RECEIPT_COOKIE].value == ""  # deleted as the receipt is shown


def test_a_forged_or_altered_receipt_cookie_shows_no_receipt_and_keeps_the_real_one(
    client, report_page, valid_data
):
    """A cookie that is not the portal's signature, or is signed for another form, reaches the
    status page with the once-only message; the reporter's own receipt still waits for them."""
    from django.core import signing

    from reporting.intake.views.report import RECEIPT_COOKIE, RECEIPT_COOKIE_SALT

    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(), **hidden})
    real = client.cookies[RECEIPT_COOKIE].value
    token = hidden["submission_token"]
    other = signing.get_cookie_signer(salt=RECEIPT_COOKIE + RECEIPT_COOKIE_SALT).sign("f" * 32)
    for forged in (token, real[:-3] + "xyz", other, "", "%00" * 40):
        client.cookies[RECEIPT_COOKIE] = forged
        refused = client.get(response["Location"])
        assert refused.status_code == 302 and refused["Location"] == reverse("reporting:status")
    client.cookies[RECEIPT_COOKIE] = real
    number, _key = receipt_codes(client.get(response["Location"]).content.decode())
    assert number.replace(" ", "") == Clue.objects.get().tracking_number
