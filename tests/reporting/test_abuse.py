"""Spam and abuse on the report form: a scripted flood is slowed and refused, a person is
not; whatever refuses a report keeps everything the reporter sent and says what to do.
Time is handled by signing the form's stamp in the past, never by sleeping."""

import re
import time

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest
from captcha.models import CaptchaStore

from reporting.intake import throttle
from reporting.intake.antispam import issue_stamp, stamp_age
from reporting.models import Clue

from . import samples

pytestmark = pytest.mark.django_db
SCRIPT, PERSON, PROXY = "203.0.113.9", "198.51.100.20", "10.0.0.2"


TRAP = re.compile(r'<div class="field[^"]*" id="id_homepage-field".*?</div>', re.S)


def trap_block(html):
    return TRAP.search(html).group(0)


def test_a_person_never_sees_the_trap_and_the_form_has_no_inline_style(report_page):
    html, _ = report_page()
    block = trap_block(html)
    assert 'class="field trap"' in block and 'aria-hidden="true"' in block
    assert 'tabindex="-1"' in block and 'autocomplete="off"' in block
    assert "此框请留空" in block  # for a screen reader or text browser that reaches it
    form = html[html.index('<form method="post" action="/report/"') :]
    assert "style=" not in form and "<script" not in form


def test_a_scripted_flood_is_refused_after_the_limit_and_a_person_goes_through(
    client, report_page, valid_data, settings
):
    """Fifty complete reports from one client behind the proxy, each with its own form,
    captcha and a stamp old enough; the client forges a different first X-Forwarded-For hop
    every time, which does not make it another client."""
    settings.TRUSTED_PROXY_HOPS = 1
    settings.REPORT_RATE_LIMIT = 10
    statuses = []
    for number in range(50):
        _, hidden = report_page()
        response = client.post(
            "/report/",
            {**valid_data(what_happened=f"脚本举报 {number}"), **hidden},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {SCRIPT}",
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 10 + [429] * 40
    assert Clue.objects.count() == 10
    refused = response.content.decode()
    assert "短时间内从您的网络连接发送了很多举报" in refused
    assert "脚本举报 49" in refused  # kept, to send later
    assert "您的举报尚未发送" in refused

    person = Client()
    _, hidden = report_page(browser=person)
    response = person.post(
        "/report/",
        {**valid_data(what_happened="我亲眼看见的情况"), **hidden},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=PERSON,
    )
    assert response.status_code == 302
    assert Clue.objects.filter(what_happened="我亲眼看见的情况").exists()
    # Only HMACs of addresses are kept, and only in the cache.
    assert not any(SCRIPT in key or PERSON in key for key in cache._cache)


def test_a_report_refused_by_the_limit_keeps_its_files_and_goes_through_later(
    client, report_page, valid_data, settings
):
    settings.REPORT_RATE_LIMIT = 1
    _, hidden = report_page()
    assert client.post("/report/", {**valid_data(), **hidden}).status_code == 302
    _, hidden = report_page()
    data = {**valid_data(what_happened="第二份举报"), **hidden}
    data["evidence"] = [SimpleUploadedFile("market.png", samples.png_with_text())]
    refused = client.post("/report/", data)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "market.png" in html and "第二份举报" in html

    # The window passes (its counter expires): the same form, with a new captcha, goes through.
    cache.clear()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    again = {
        **valid_data(what_happened="第二份举报"),
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        "submission_token": hidden["submission_token"],
        "issued": re.search(r'name="issued" value="([^"]+)"', html).group(1),
    }
    assert client.post("/report/", again).status_code == 302
    clue = Clue.objects.get(what_happened="第二份举报")
    assert clue.evidence.count() == 1


def test_the_window_ends_and_the_client_may_send_again(rf, settings):
    settings.REPORT_RATE_LIMIT = 2
    settings.REPORT_RATE_WINDOW_MINUTES = 60
    request = rf.post("/report/", REMOTE_ADDR=SCRIPT)
    start = 3600 * 1000  # the start of a window
    assert throttle.take_report(request, now=start) == 0
    assert throttle.take_report(request, now=start + 10) == 0
    assert throttle.take_report(request, now=start + 20) > 0
    assert throttle.take_report(rf.post("/", REMOTE_ADDR=PERSON), now=start + 20) == 0
    assert throttle.take_report(request, now=start + 3600) == 0


def test_a_report_given_back_does_not_use_up_the_allowance(rf, settings):
    settings.REPORT_RATE_LIMIT = 1
    request = rf.post("/report/", REMOTE_ADDR=PERSON)
    assert throttle.take_report(request, now=100.0) == 0
    throttle.give_back_report(request, now=100.0)
    assert throttle.take_report(request, now=101.0) == 0
    assert throttle.take_report(request, now=102.0) > 0


def test_a_script_that_sends_at_once_is_refused_and_the_person_loses_nothing(
    client, report_page, valid_data
):
    html, hidden = report_page()
    # The form as served: its stamp is only as old as the request.
    hidden["issued"] = re.search(r'name="issued" value="([^"]+)"', html).group(1)
    data = {**valid_data(what_happened="匆忙写下的线索"), **hidden}
    data["evidence"] = [SimpleUploadedFile("photo.jpg", samples.jpeg_with_gps())]
    response = client.post("/report/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r"请等待 \d 秒", page) and "您的举报尚未发送" in page
    assert "匆忙写下的线索" in page and 'value="刀疤强"' in page
    assert "photo.jpg" in page  # the checked file is kept for the next attempt
    assert not Clue.objects.exists()
    # The stamp is kept, not renewed: its age still counts from the first opening.
    assert re.search(r'name="issued" value="([^"]+)"', page).group(1) == hidden["issued"]


@pytest.mark.parametrize(
    "stamp",
    [
        pytest.param(lambda token: "1" + issue_stamp(token), id="altered time"),
        pytest.param(lambda token: issue_stamp("another-token-of-another-form-x"), id="other"),
        pytest.param(lambda token: f"{int(time.time()) - 3600}:{token}:forged", id="forged"),
        pytest.param(lambda token: issue_stamp(token, at=time.time() - 25 * 3600), id="expired"),
        pytest.param(lambda token: "", id="missing"),
    ],
)
def test_a_stamp_that_is_not_ours_is_refused_and_replaced(client, report_page, valid_data, stamp):
    _, hidden = report_page()
    hidden["issued"] = stamp(hidden["submission_token"])
    response = client.post("/report/", {**valid_data(what_happened="表单开了很久"), **hidden})
    assert response.status_code == 400
    page = response.content.decode()
    assert "此表单打开的时间过长" in page and "表单开了很久" in page
    assert not Clue.objects.exists()
    renewed = re.search(r'name="issued" value="([^"]+)"', page).group(1)
    age = stamp_age(renewed, hidden["submission_token"])
    assert age is not None and age >= 0


def test_a_new_secret_key_does_not_lose_an_open_form(client, report_page, valid_data, settings):
    """A deployment that changes SECRET_KEY while a reporter writes: they send again."""
    _, hidden = report_page()
    settings.SECRET_KEY = "another-secret-key-after-a-deployment-" + "x" * 30
    response = client.post("/report/", {**valid_data(what_happened="部署期间写的"), **hidden})
    assert response.status_code == 400
    assert "部署期间写的" in response.content.decode()


def test_a_filled_trap_is_shown_to_the_person_who_can_empty_it_and_send(
    client, report_page, valid_data
):
    _, hidden = report_page()
    data = {**valid_data(what_happened="自动填充的情况"), **hidden, "homepage": "13800138000"}
    response = client.post("/report/", data)
    assert response.status_code == 400
    page = response.content.decode()
    block = trap_block(page)
    assert "trap" not in block.split(">")[0] and "aria-hidden" not in block
    assert 'tabindex="-1"' not in block
    assert "此框必须为空" in block and 'value="13800138000"' in block
    assert 'href="#id_homepage-field"' in page  # listed in the error summary
    assert "自动填充的情况" in page
    assert not Clue.objects.exists()

    key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
    emptied = {
        **data,
        "homepage": "",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }
    assert client.post("/report/", emptied).status_code == 302
    assert Clue.objects.get().what_happened == "自动填充的情况"


def test_an_overlong_trap_is_shown_too(client, report_page, valid_data):
    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(), **hidden, "homepage": "x" * 600})
    assert response.status_code == 400
    block = trap_block(response.content.decode())
    assert "aria-hidden" not in block and "field__error" in block


def test_a_round_trip_keeps_a_filled_trap_visible_and_a_fresh_stamp(
    client, report_page, valid_data
):
    _, hidden = report_page()
    data = {**valid_data(), **hidden, "homepage": "x", "refresh_captcha": "1", "issued": "bad"}
    data.pop("captcha_1")
    page = client.post("/report/", data).content.decode()
    assert "aria-hidden" not in trap_block(page)
    renewed = re.search(r'name="issued" value="([^"]+)"', page).group(1)
    assert stamp_age(renewed, hidden["submission_token"]) is not None


def test_load_tests_can_raise_the_limits(client, report_page, valid_data, settings):
    settings.REPORT_MIN_SECONDS = 0
    settings.REPORT_RATE_LIMIT = 1000
    html, hidden = report_page()
    hidden["issued"] = re.search(r'name="issued" value="([^"]+)"', html).group(1)
    for _ in range(12):
        assert client.post("/report/", {**valid_data(), **hidden}).status_code == 302
        html, hidden = report_page()
        hidden["issued"] = re.search(r'name="issued" value="([^"]+)"', html).group(1)
    assert Clue.objects.count() == 12


def test_limits_below_their_minimum_stop_the_process(run_django):
    result = run_django(
        "import django; django.setup()", {"REPORT_RATE_LIMIT": "0", "CLUE_RETENTION_DAYS": "30"}
    )
    assert result.returncode != 0
    assert "REPORT_RATE_LIMIT must be at least 1, not 0" in result.stderr
