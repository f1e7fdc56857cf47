from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

import pytest
from cryptography.fernet import Fernet

from reporting.evidence import crypto
from reporting.lifecycle import reporter
from reporting.models import Clue

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_sealed(clue):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_sealed FROM reporting_clue WHERE id = %s", [clue.pk])
        return bytes(cursor.fetchone()[0])


def make_clue(report_page, client, valid_data):
    _, hidden = report_page()
    data = {
        **valid_data(identity="named", reporter_name="李四", reporter_phone="13700001111"),
        **hidden,
    }
    assert client.post("/report/", data).status_code == 302
    return Clue.objects.get()


def test_rotation_re_encrypts_with_the_new_key(client, report_page, valid_data):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        clue = make_clue(report_page, client, valid_data)
        before = raw_sealed(clue)
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW, OLD]):
        out = StringIO()
        call_command("rotate_reporter_key", stdout=out)
        assert "Re-encrypted 1 reporters' details" in out.getvalue()
    after = raw_sealed(clue)
    assert after != before
    with override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]):
        clue.refresh_from_db()
        assert reporter.reporter_details(clue)["phone"] == "13700001111"
        with pytest.raises(crypto.InvalidToken):
            Fernet(OLD.encode()).decrypt(after)


def test_rotation_without_the_old_key_stops_with_a_clear_error(client, report_page, valid_data):
    with override_settings(REPORTER_ENCRYPTION_KEYS=[OLD]):
        make_clue(report_page, client, valid_data)
    with (
        override_settings(REPORTER_ENCRYPTION_KEYS=[NEW]),
        pytest.raises(CommandError, match="add the old key back"),
    ):
        call_command("rotate_reporter_key", stdout=StringIO())
