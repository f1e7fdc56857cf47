"""The public report form: whatever is posted, in whatever shape, the site answers with the
form again (with its errors), a refusal or a receipt; never with an error of its own."""

import io

from django.core.cache import cache

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reporting.models import Clue

from .strategies import (
    ADVERSARIAL,
    any_char,
    binary,
    bounded,
    carries_nul,
    form_value,
    hostile_text,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    "category",
    "region",
    "what_happened",
    "when",
    "when_start",
    "when_end",
    "where",
    "officials_shield",
    "shield_details",
    "identity",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
    "reporter_contact_time",
    "agree",
    "entry",
    "homepage",
    "captcha_0",
    "captcha_1",
    "submission_token",
    "issued",
    "party-TOTAL_FORMS",
    "party-INITIAL_FORMS",
    "party-MIN_NUM_FORMS",
    "party-MAX_NUM_FORMS",
    "party-0-name",
    "party-0-description",
    "party-0-role",
    "party-5-name",
    "remove_staged",
    "refresh_captcha",
    "add_party",
]
# Most fields keep their valid value, so a post gets past the first check and reaches the
# deeper ones (captcha, staging, storing); the rest are replaced, repeated or left out.
CHANGE = st.sampled_from(["keep", "keep", "keep", "hostile", "drop"])

file_name = st.one_of(
    st.sampled_from(["photo.jpg", "a.pdf", "x", "../../etc/passwd", "名字.heic", "a" * 300]),
    st.text(any_char.filter(lambda c: c not in '"\r\n\\'), min_size=1, max_size=80),
)


def sent_file(name, data):
    """A file as a browser sends it: the name goes into the request as it is, and the server's
    multipart parser decides what to make of "a/" or "..", as it would for a real client."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle


upload = st.builds(sent_file, file_name, binary)


def hostile_post(data, base):
    post = {}
    for field in FIELDS:
        change = data.draw(CHANGE, label=field)
        if change == "keep" and field in base:
            post[field] = base[field]
        elif change == "hostile":
            post[field] = data.draw(form_value, label=field)
    post.update(data.draw(st.dictionaries(hostile_text, form_value, max_size=2), label="extra"))
    files = data.draw(st.lists(upload, max_size=3), label="files")
    if files:
        post["evidence"] = files
    return post


@bounded(60)
@given(data=st.data())
def test_no_post_to_the_report_form_is_an_error(
    client, open_site, valid_data, hidden_fields, data
):
    cache.clear()  # no throttle or captcha state carried from one example to the next
    post = hostile_post(data, {**valid_data(), **hidden_fields()})
    response = client.post("/report/", post)
    assert response.status_code in (200, 302, 400, 429)


@bounded(40)
@given(field=st.sampled_from(FIELDS[:15]), value=hostile_text)
@example(field="what_happened", value="\x00")
@example(field="where", value="a\x00b")
@example(field="reporter_name", value="{{ settings.SECRET_KEY }}")
def test_one_hostile_field_in_a_complete_report(
    client, open_site, valid_data, hidden_fields, field, value
):
    """A complete report with a single field changed: either it is stored as text, exactly
    as typed (never interpreted), or the form says what is wrong with that field."""
    response = client.post("/report/", {**valid_data(), **hidden_fields(), field: value})
    assert response.status_code in (302, 400)
    if response.status_code == 302 and field in ("what_happened", "where", "shield_details"):
        stored = Clue.objects.order_by("-pk").values_list(field, flat=True).first()
        assert stored == value.strip()


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=BoUnDaRy",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=" + "x" * 300,
            "text/plain",
            "application/json",
        ]
    ),
    st.text(any_char, max_size=60),
)


@st.composite
def raw_bodies(draw):
    body = draw(binary)
    if draw(st.booleans()):
        # Something that starts like a real multipart body, then goes wrong.
        part = draw(st.sampled_from(ADVERSARIAL)).encode("utf-8", "replace")
        body = (
            b'--BoUnDaRy\r\nContent-Disposition: form-data; name="what_happened"\r\n\r\n'
            + part
            + b'\r\n--BoUnDaRy\r\nContent-Disposition: form-data; name="evidence"; '
            + b'filename="'
            + part
            + b'"\r\nContent-Type: image/jpeg\r\n\r\n'
            + body
            + draw(st.sampled_from([b"", b"\r\n--BoUnDaRy--\r\n", b"\r\n--BoUnDaRy"]))
        )
    return body


@bounded(50)
@given(
    path=st.sampled_from(["/report/", "/report/status/"]), body=raw_bodies(), kind=CONTENT_TYPES
)
def test_malformed_bodies_are_refused_not_errors(client, open_site, path, body, kind):
    cache.clear()
    response = client.generic("POST", path, body, content_type=kind)
    assert response.status_code in (200, 400, 403)


@bounded(50)
@given(
    query=st.dictionaries(
        st.sampled_from(["category", "region", "entry", "notice"]) | hostile_text,
        hostile_text,
        max_size=4,
    )
)
def test_any_query_string_opens_the_form(client, open_site, query):
    """Poster links carry ?category=&region=&entry=; a mangled or forged one still opens the
    form (unknown values are ignored), unless it holds a NUL, which no link has: refused."""
    response = client.get("/report/", query)
    assert response.status_code == (400 if carries_nul(query) else 200)
