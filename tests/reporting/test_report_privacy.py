"""What a report leaves behind and who can read it back: a named reporter sealed, no client
address, no clear access key, intake told nothing of the clue, and a status page that
gives one answer to every wrong guess and slows guessing down."""

from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.db import connection

import pytest

from portal.factories import SuperuserFactory
from reporting.lifecycle import reporter
from reporting.models import Clue

from .helpers import receipt_codes, submit

pytestmark = pytest.mark.django_db


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


def test_the_access_key_is_never_stored_in_clear(client, report_page, valid_data):
    from django.contrib.sessions.models import Session

    from reporting.models import ReceiptHandoff

    submit(client, report_page, valid_data)
    for session in Session.objects.all():
        assert "access_key" not in str(session.get_decoded())
    handoff = ReceiptHandoff.objects.get()
    _number, key = receipt_codes(client.get("/report/receipt/").content.decode())
    assert key.replace("-", "").encode() not in bytes(handoff.sealed)
    assert ReceiptHandoff.objects.get().shown_at is not None  # kept sealed for a short grace


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
