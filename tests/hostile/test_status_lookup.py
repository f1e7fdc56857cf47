"""The status lookup and the follow-up a receipt opens: any tracking number, any key, any
answer or file is a refusal or a success, never an error; and the tracking-number parser
itself accepts exactly the numbers it issues."""

import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reporting.intake import receipts
from reporting.models import Clue

from .strategies import alnum_char, any_char, binary, bounded, form_value, hostile_text

digits = st.text(st.sampled_from("0123456789"), min_size=12, max_size=12)
typed_number = st.one_of(
    hostile_text,
    digits,
    # A real number as people type it: groups, dashes, full-width digits, stray spaces.
    st.builds(
        lambda n, sep: sep.join(n[i : i + 4] for i in range(0, 12, 4)),
        st.builds(receipts.new_tracking_number),
        st.sampled_from(["", " ", "-", "　", "－", " - "]),
    ),
)


@bounded(300)
@given(value=typed_number)
@example(value="٠١٢٣٤٥٦٧٨٩٠١")
@example(value="１２３４５６７８９０１２")
@example(value="\x00" * 12)
def test_the_parser_returns_a_valid_number_or_none(value):
    number = receipts.normalize_tracking_number(value)
    if number is not None:
        assert len(number) == 12 and number.isascii() and number.isdigit()
        assert receipts.damm_digit(number) == 0


@bounded(100)
@given(number=st.builds(receipts.new_tracking_number))
def test_every_issued_number_reads_back_as_printed(number):
    printed = receipts.format_tracking_number(number)
    assert receipts.normalize_tracking_number(printed) == number
    assert receipts.normalize_tracking_number(printed.translate(FULL_WIDTH)) == number


FULL_WIDTH = str.maketrans("0123456789 ", "０１２３４５６７８９　")


@bounded(200)
@given(value=st.text(any_char, max_size=200))
def test_any_access_key_normalises(value):
    key = receipts.normalize_access_key(value)
    assert " " not in key and "-" not in key


@bounded(20)
@given(value=hostile_text)
def test_any_access_key_is_checked_without_error(value):
    stored = receipts.hash_access_key("0123456789ABCDEFGHJK")
    assert receipts.check_access_key(value, stored) is False


pytestmark = pytest.mark.django_db


@bounded(60)
@given(
    number=typed_number | form_value,
    key=hostile_text | form_value,
    extra=st.dictionaries(hostile_text, form_value, max_size=2),
)
def test_any_lookup_is_answered(client, open_site, number, key, extra):
    cache.clear()
    response = client.post(
        "/report/status/", {**extra, "tracking_number": number, "access_key": key}
    )
    assert response.status_code in (400, 429)


@pytest.fixture
def unlocked(client, open_site, report_page, valid_data):
    _, hidden = report_page()
    client.post("/report/", {**valid_data(), **hidden})
    html = client.get("/report/receipt/").content.decode()
    number = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html).group(1)
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    response = client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert response.status_code == 302
    return Clue.objects.get()


@bounded(50)
@given(body=form_value, extra=st.dictionaries(hostile_text, form_value, max_size=2))
@example(body="\x00", extra={})
def test_any_answer_from_the_reporter_is_answered(client, unlocked, body, extra):
    response = client.post("/report/status/reply/", {**extra, "body": body})
    assert response.status_code in (302, 400)


@bounded(30)
@given(
    files=st.lists(
        st.builds(
            SimpleUploadedFile,
            st.text(alnum_char, min_size=1, max_size=40),
            binary,
        ),
        max_size=3,
    )
)
def test_any_files_added_later_are_answered(client, unlocked, files):
    response = client.post("/report/status/evidence/", {"evidence": files} if files else {})
    assert response.status_code in (302, 400)
