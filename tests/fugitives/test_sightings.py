"""Reporting a sighting: from a wanted notice's button to the report form about that notice,
to the clue that keeps it, in both languages; every link that names no open notice still
opens the plain form."""

import re

import pytest

from reporting.models import Category, Clue
from tests.reporting.helpers import receipt_codes

from .conftest import english

pytestmark = pytest.mark.django_db


def button(client, notice):
    html = client.get(notice.url).content.decode()
    return re.search(r'href="([^"]*\?notice=[0-9]+)"', html).group(1)


def checked_category(html):
    return re.search(r'name="category" value="([0-9]+)"[^>]*checked', html)


def sighting(valid_data, **overrides):
    return valid_data(
        **{
            "category": Category.objects.get(slug="fugitive").pk,
            "what_happened": "今早在汽车站看见他买票，往南走了。",
            "when": "date",
            "when_start": "2026-12-01",
            "where": "某县汽车站售票厅",
            **overrides,
        }
    )


def carried(html):
    """The hidden value naming the notice, as the browser sends it back."""
    return {"subject": re.search(r'name="subject"(?: value="([^"]*)")?', html).group(1) or ""}


@pytest.mark.parametrize(
    ("language", "asked", "about"),
    [
        # The Chinese words of this form come with the translations (locale/); the notice
        # itself is in its own language already.
        ("zh-hans", "", ""),
        ("en", "When did you see this person?", "You are reporting about:"),
    ],
)
def test_a_sighting_from_the_notice_to_the_receipt(
    client, demo, report_page, valid_data, language, asked, about
):
    notice = demo["wanted"] if language == "zh-hans" else english(demo["wanted"])
    url = button(client, notice)
    assert url.endswith(f"?notice={notice.pk}")
    html, hidden = report_page(url)
    assert about in html and notice.title in html
    assert 'id="report-subject"' in html and f'alt="{notice.portrait_alt}"' in html
    assert asked in html
    fugitive = Category.objects.get(slug="fugitive")
    assert checked_category(html).group(1) == str(fugitive.pk)
    assert f'name="subject" value="notice:{notice.pk}"' in html

    response = client.post(url.split("?")[0], {**sighting(valid_data), **hidden, **carried(html)})
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    number, _key = receipt_codes(receipt.content.decode())
    clue = Clue.objects.get()
    assert number.replace(" ", "") == clue.tracking_number
    assert clue.subject_id == notice.pk
    assert clue.category == fugitive
    assert clue.where == "某县汽车站售票厅"


def test_the_plain_form_asks_as_before(report_page):
    html, _ = report_page("/en/report/")
    assert "When did it happen?" in html and "When did you see this person?" not in html
    assert 'name="subject"' in html and 'id="report-subject"' not in html
    # The plain form's markup, kept per process, is not changed by a sighting's.
    report_page("/en/report/?category=fugitive")
    html, _ = report_page("/en/report/")
    assert "When did you see this person?" not in html


def test_the_notice_survives_a_form_sent_back_with_errors(client, demo, report_page, valid_data):
    notice = demo["wanted"]
    _html, hidden = report_page(f"/en/report/?notice={notice.pk}")
    data = {**sighting(valid_data, what_happened=""), **hidden, "subject": f"notice:{notice.pk}"}
    response = client.post("/en/report/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "When did you see this person?" in html and notice.title in html
    assert "某县汽车站售票厅" in html  # what was typed is kept
    assert f'name="subject" value="notice:{notice.pk}"' in html
    # A new picture, without JavaScript: the round trip keeps the notice too.
    response = client.post("/en/report/", {**data, "refresh_captcha": "1"})
    assert f'name="subject" value="notice:{notice.pk}"' in response.content.decode()

    _html, hidden = report_page(f"/en/report/?notice={notice.pk}")
    response = client.post(
        "/en/report/", {**sighting(valid_data), **hidden, "subject": f"notice:{notice.pk}"}
    )
    assert response.status_code == 302
    assert Clue.objects.get().subject_id == notice.pk


def forged(demo):
    from content.models import HomePage

    caught = demo["wanted"]
    return {
        "letters": ("abc", "unknown"),
        "negative": ("-1", "unknown"),
        "huge": ("9" * 30, "unknown"),
        "past 64 bits": ("99999999999999999999", "unknown"),
        "a control character": ("1%01", "unknown"),
        "empty": ("", "unknown"),
        "another page type": (str(HomePage.objects.first().pk), "unknown"),
        "the caught notice": (str(demo["caught"].pk), "closed"),
        "a draft": (None, "unknown"),
        "no longer wanted": (str(caught.pk), "closed"),
    }


CASES = [
    "letters",
    "negative",
    "huge",
    "past 64 bits",
    "a control character",
    "empty",
    "another page type",
    "the caught notice",
    "a draft",
    "no longer wanted",
]


@pytest.mark.parametrize("case", CASES)
def test_a_link_naming_no_open_notice_opens_the_plain_form(
    client, demo, report_page, valid_data, case
):
    from fugitives.models import NoticePage

    value, kind = forged(demo)[case]
    if case == "a draft":
        draft = demo["wanted"]
        draft.unpublish()
        value = str(draft.pk)
    if case == "no longer wanted":
        notice = NoticePage.objects.get(pk=int(value))
        notice.status = NoticePage.Status.CAUGHT
        notice.full_clean()
        notice.save_revision().publish()
    url = f"/en/report/?notice={value}"
    html, hidden = report_page(url)
    note = re.search(r'id="subject-note">([^<]+)<', html).group(1)
    if kind == "closed":
        assert "not open for sightings" in note
    else:
        assert "unknown" in note
    assert 'id="report-subject"' not in html and "When did it happen?" in html
    assert not checked_category(html)  # nothing preselected that the link did not earn
    # The form works as the plain one, and the forged value is never sent back.
    assert 'name="subject" value="notice:' not in html
    response = client.post("/en/report/", {**sighting(valid_data), **hidden, **carried(html)})
    assert response.status_code == 302
    assert Clue.objects.get().subject is None


def test_a_forged_notice_in_the_sent_form_is_dropped(client, demo, report_page, valid_data):
    """The hidden value is checked again: a notice no longer wanted, or any other page, is
    never taken from what the browser sends; what the reporter wrote is sent as a plain
    report."""
    _html, hidden = report_page("/report/")
    for value in (f"notice:{demo['caught'].pk}", "notice:abc", "other:1", "notice:" + "9" * 25):
        _html, hidden = report_page("/report/")
        response = client.post("/report/", {**sighting(valid_data), **hidden, "subject": value})
        assert response.status_code == 302, value
    assert Clue.objects.count() == 4
    assert not Clue.objects.exclude(subject=None).exists()


def test_a_retired_poster_link_keeps_its_own_note(report_page, demo):
    html, _ = report_page("/en/report/?notice=poster")
    assert "no longer in use" in html
    assert 'id="subject-note"' not in html
