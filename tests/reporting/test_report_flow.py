"""The public report form from the citizen's side: sending a report, the captcha, double
submissions and the receipt shown once."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore

from reporting.lifecycle import submission
from reporting.models import Clue, Party

from .helpers import receipt_codes, submit

pytestmark = pytest.mark.django_db


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


def test_a_receipt_page_lost_on_its_way_is_shown_again_for_a_short_while(
    client, report_page, valid_data
):
    """The receipt's page was sent but never arrived (a dropped connection, an instance killed
    as it answered): the browser still holds the cookie the page would have deleted, so its
    reload shows the same receipt. After the grace it is gone, and the periodic checks delete
    it; a browser that did get the page never sees it again."""
    from reporting.intake import receipts
    from reporting.intake.views.report import RECEIPT_COOKIE
    from reporting.models import ReceiptHandoff

    response = submit(client, report_page, valid_data)
    cookie = client.cookies[RECEIPT_COOKIE].value
    first = receipt_codes(client.get(response["Location"]).content.decode())
    client.cookies[RECEIPT_COOKIE] = cookie  # the page and its deletion never arrived
    assert receipt_codes(client.get(response["Location"]).content.decode()) == first
    assert client.get(response["Location"]).status_code == 302  # this one did arrive

    client.cookies[RECEIPT_COOKIE] = cookie
    ReceiptHandoff.objects.update(
        shown_at=timezone.now() - receipts.RECEIPT_REDISPLAY_GRACE - timedelta(seconds=1)
    )
    late = client.get(response["Location"])
    assert late.status_code == 302 and late["Location"] == reverse("reporting:status")
    assert receipts.purge_receipts() == 1
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
