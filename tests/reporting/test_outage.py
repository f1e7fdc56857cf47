"""The database going away while a report is sent (drills/db_restart.py finds it for real):
the reporter is told to try again and loses nothing, and a report stored before the failure
is never stored twice.

The outage is the database refusing chosen statements, raised where Django's own cursor
wrapper would raise it when the server closes the connection."""

import io
import re
from contextlib import contextmanager

from django.conf import settings
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    connection,
)

import pytest

from reporting.models import Clue, Evidence

from . import samples
from .test_evidence import upload
from .test_report_flow import receipt_codes

pytestmark = pytest.mark.django_db


@contextmanager
def database_refuses(statement, error=None):
    def refuse(execute, sql, params, many, context):
        if statement is None or statement in sql:
            raise error or OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def resend(client, html):
    """What the browser sends when the reporter presses "send again" on the page."""
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    data["what_happened"] = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html).group(1)
    return client.post("/report/", data)


def with_a_session(client, report_page, valid_data):
    """A browser holding a session: it sent a report and unlocked its status page."""
    _, earlier = report_page()
    response = client.post("/report/", {**valid_data(what_happened="更早的举报"), **earlier})
    number, key = receipt_codes(client.get(response["Location"]).content.decode())
    client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert client.cookies.get(settings.SESSION_COOKIE_NAME)


@pytest.mark.parametrize("has_session", [False, True])
def test_a_report_and_its_receipt_write_no_session(client, report_page, valid_data, has_session):
    """Saving the session after the commit was a point where a stored report could still
    fail (drills/db_restart.py found it): the receipt now travels in a signed cookie, so
    neither the report nor its receipt writes the session, whatever the browser holds."""
    if has_session:
        with_a_session(client, report_page, valid_data)
    _, hidden = report_page()
    with (
        database_refuses('INSERT INTO "django_session"'),
        database_refuses('UPDATE "django_session"'),
    ):
        response = client.post("/report/", {**valid_data(), **hidden})
        assert response.status_code == 302
        page = client.get(response["Location"])
    number, _key = receipt_codes(page.content.decode())
    stored = Clue.objects.get(submission_token=hidden["submission_token"])
    assert number.replace(" ", "") == stored.tracking_number
    # Shown once: the cookie is gone and so is the stored copy.
    assert client.get(response["Location"]).status_code == 302


def test_a_failure_while_storing_keeps_text_and_files_and_stores_nothing(
    client, report_page, valid_data
):
    client.raise_request_exception = False
    _, hidden = report_page()
    photo = upload("a.png", samples.png_with_text())
    with database_refuses('INSERT INTO "reporting_clue"'):
        response = client.post("/report/", {**valid_data(), **hidden, "evidence": [photo]})
    html = response.content.decode()
    assert response.status_code == 503
    assert "每月有人上门暴力催收" in html
    assert "1 个文件已保留" in html
    assert not Clue.objects.exists() and not Evidence.objects.exists()

    # The captcha of the failed attempt was used up: a new one is asked, nothing is lost.
    page = resend(client, html).content.decode()
    assert "每月有人上门暴力催收" in page
    _, fresh = report_page()
    response = client.post(
        "/report/",
        {
            **valid_data(),
            **fresh,
            "submission_token": hidden["submission_token"],
            "issued": hidden["issued"],
        },
    )
    assert response.status_code == 302
    assert Clue.objects.get().evidence.count() == 1


def test_a_failure_before_the_form_is_read_keeps_the_text(client, report_page, valid_data):
    """Found by drills/db_restart.py: for a browser with a session, a middleware loads it
    before the view reads the form; the database failing there left the page empty."""
    client.raise_request_exception = False
    with_a_session(client, report_page, valid_data)
    _, hidden = report_page()
    photo = upload("a.png", samples.png_with_text())
    with database_refuses('FROM "django_session"'):
        response = client.post("/report/", {**valid_data(), **hidden, "evidence": [photo]})
    html = response.content.decode()
    assert response.status_code == 503
    assert "每月有人上门暴力催收" in html and "刀疤强" in html
    assert 'type="file"' in html  # the files were not read: choose them again
    assert hidden["submission_token"] in html


def test_pages_say_try_again_with_503_while_the_database_is_away(client, site_tree):
    client.raise_request_exception = False
    with database_refuses(None):
        response = client.get("/report/")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_closed_connection_is_an_outage_too(client, site_tree):
    client.raise_request_exception = False
    with database_refuses(None, InterfaceError("connection already closed")):
        response = client.get("/report/")
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.parametrize(
    "error",
    [
        DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
        IntegrityError("duplicate key value violates unique constraint"),
        ProgrammingError('column "x" does not exist'),
    ],
    ids=["data", "integrity", "programming"],
)
def test_a_statement_the_database_refuses_is_an_error_not_an_outage(client, site_tree, error):
    """Waiting would not mend it: a 500, without Retry-After, so that monitoring counts an
    error and no client is told to come back."""
    client.raise_request_exception = False
    with database_refuses(None, error):
        response = client.get("/report/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_report_the_database_refuses_still_keeps_its_text(client, report_page, valid_data):
    client.raise_request_exception = False
    _, hidden = report_page()
    refused = DataError("value too long for type character varying(20)")
    with database_refuses('INSERT INTO "reporting_clue"', refused):
        response = client.post("/report/", {**valid_data(), **hidden})
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "每月有人上门暴力催收" in response.content.decode()
    assert not Clue.objects.exists()


def test_the_receipt_waits_for_a_reload_while_the_database_is_away(
    client, report_page, valid_data
):
    client.raise_request_exception = False
    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(), **hidden})
    assert response.status_code == 302
    with database_refuses("reporting_receipthandoff"):
        page = client.get(response["Location"])
    assert page.status_code == 503
    assert 'href="/report/receipt/"' in page.content.decode()

    number, _key = receipt_codes(client.get(response["Location"]).content.decode())
    assert number.replace(" ", "") == Clue.objects.get().tracking_number


def test_a_follow_up_task_the_queue_refuses_is_done_by_the_periodic_checks(
    client, report_page, valid_data, caplog
):
    """The queue refusing the follow-up task costs neither the clue nor the receipt, and
    intake is still told: the clue stays pending and the periodic checks finish it once the
    task is surely lost, not before."""
    from datetime import timedelta

    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone

    from django_tasks_db.models import DBTaskResult

    from portal.factories import SuperuserFactory

    SuperuserFactory(email="intake@example.test")  # someone to tell, so there is mail

    def refuse(execute, sql, params, many, context):
        if "dbtaskresult" in sql:
            raise OperationalError("the queue refused it")
        return execute(sql, params, many, context)

    _, hidden = report_page()
    with connection.execute_wrapper(refuse):
        response = client.post("/report/", {**valid_data(), **hidden})
    assert response.status_code == 302
    assert receipt_codes(client.get(response["Location"]).content.decode())
    clue = Clue.objects.get()
    assert clue.follow_up_pending
    assert not DBTaskResult.objects.filter(task_path__startswith="reporting.").exists()
    assert f"The follow-up of clue {clue.pk} could not be queued" in caplog.text

    call_command("check_deadlines", stdout=io.StringIO())  # within the grace: the task's turn
    assert Clue.objects.get().follow_up_pending
    assert not mail.outbox

    Clue.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    out = io.StringIO()
    call_command("check_deadlines", stdout=out)
    assert "1 new clues' lost follow-up done" in out.getvalue()
    assert not Clue.objects.get().follow_up_pending
    assert [message.to for message in mail.outbox] == [["intake@example.test"]]

    call_command("check_deadlines", stdout=io.StringIO())
    assert len(mail.outbox) == 1
