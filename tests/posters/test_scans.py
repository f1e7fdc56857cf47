"""A scan is counted per day and leads on; a clue sent after it is attributed to the poster.
Nothing about the person scanning is kept or set."""

from django.db import connection

import pytest

from posters import services
from posters.models import CODE_MAX_LENGTH, EntryPoint, ScanDay, new_code
from reporting.intake.fields import entry_code_or_blank
from reporting.lifecycle import review as workflow
from reporting.models import Category, Clue, Region

pytestmark = pytest.mark.django_db


def test_a_scan_is_counted_and_leads_to_the_preselected_form(client, entry_point):
    entry_point.category = Category.objects.get(slug="market-bullies")
    entry_point.region = Region.objects.get(code="130203")
    entry_point.save()
    response = client.get(f"/r/{entry_point.code.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/report/?entry={entry_point.code}&category=market-bullies&region=130203"
    )
    assert not response.cookies
    assert "Set-Cookie" not in response
    client.get(f"/r/{entry_point.code}/")
    client.head(f"/r/{entry_point.code}/")  # link checkers and previews are not scans
    assert ScanDay.objects.get(entry_point=entry_point).count == 2
    form = client.get(response["Location"]).content.decode()
    assert f'name="entry" value="{entry_point.code}"' in form


def test_nothing_about_the_scanner_is_stored(client, entry_point):
    client.get(
        f"/r/{entry_point.code}/",
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 9; Cheap Phone)",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM posters_scanday")
        rows = cursor.fetchall()
    assert len(rows) == 1
    text = repr(rows)
    assert "203.0.113" not in text and "Android" not in text


@pytest.mark.parametrize(
    "code", ["NOSUCH", "ZZZZZZZZZZZZZZZZZZZZZZZZ", "%E4%B8%AD", "a b", "%01", "%EF%BC%A1"]
)
def test_unknown_codes_land_on_the_report_form_with_a_notice(client, entry_point, code):
    response = client.get(f"/r/{code}/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == "/report/?notice=poster"
    assert "您扫描的海报已停用" in response.content.decode()
    assert not ScanDay.objects.exists()


@pytest.mark.parametrize("code", ["%00", "ABC%00"])
def test_a_code_with_a_nul_is_refused(client, entry_point, code):
    """No printed code holds a NUL, and PostgreSQL refuses one in a query: the address is
    refused before the database is asked (portal.middleware)."""
    response = client.get(f"/r/{code}/")
    assert response.status_code == 400
    assert not ScanDay.objects.exists()


def test_a_switched_off_code_still_counts_and_lands_on_the_form(client, entry_point):
    entry_point.active = False
    entry_point.save()
    response = client.get(f"/r/{entry_point.code}/")
    assert response["Location"] == "/report/?notice=poster"
    assert ScanDay.objects.get(entry_point=entry_point).count == 1


def test_a_clue_sent_after_a_scan_is_attributed(
    client, entry_point, report_page, valid_data, staff
):
    location = client.get(f"/r/{entry_point.code}/")["Location"]
    html, hidden = report_page(location)
    assert f'name="entry" value="{entry_point.code}"' in html
    data = {**valid_data(region="130203"), **hidden, "entry": entry_point.code}
    response = client.post("/report/", data)
    assert response.status_code == 302
    clue = Clue.objects.get()
    assert clue.entry_code == entry_point.code
    figures = services.figures([entry_point])[entry_point.pk]
    assert (figures.scans, figures.submitted, figures.accepted) == (1, 1, 0)
    workflow.accept(clue, staff["intake-hebei"])
    figures = services.figures([entry_point])[entry_point.pk]
    assert (figures.submitted, figures.accepted) == (1, 1)


def test_a_code_for_a_page_carries_the_code_to_the_report_link(client, entry_point, site_tree):
    entry_point.target = EntryPoint.Target.PAGE
    entry_point.page = site_tree["home"]
    entry_point.save()
    location = client.get(f"/r/{entry_point.code}/")["Location"]
    assert location == f"/?entry={entry_point.code}"
    page = client.get(location).content.decode()
    assert f'href="/report/?entry={entry_point.code}"' in page
    # Without the code in the URL the link is plain: nothing was remembered.
    assert 'href="/report/"' in client.get("/").content.decode()


def test_a_code_whose_page_is_gone_opens_the_report_form(client, entry_point, site_tree):
    entry_point.target = EntryPoint.Target.PAGE
    entry_point.page = site_tree["home"]
    entry_point.save()
    site_tree["home"].unpublish()
    location = client.get(f"/r/{entry_point.code}/")["Location"]
    assert location == f"/report/?entry={entry_point.code}"


def test_the_report_link_ignores_a_tampered_entry_parameter(client, site_tree):
    page = client.get("/?entry=%3Cscript%3E").content.decode()
    assert 'href="/report/"' in page
    assert "<script>" not in page.split("<body", 1)[1].split("</header>")[0]


def test_scans_on_one_day_add_up(entry_point):
    for _ in range(3):
        services.record_scan(entry_point)
    assert ScanDay.objects.get().count == 3


def test_the_report_form_keeps_every_code_posters_make():
    """The report form drops a poster code of another shape (reporting.intake.fields): every
    code this app prints, and the longest its column holds, has the shape it keeps."""
    codes = {new_code() for _ in range(200)} | {"Z" * CODE_MAX_LENGTH}
    assert {entry_code_or_blank(code) for code in codes} == codes
    assert Clue._meta.get_field("entry_code").max_length >= CODE_MAX_LENGTH
