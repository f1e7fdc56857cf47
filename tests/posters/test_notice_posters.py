"""Printed posters of a wanted notice: made from the notice in the admin, one entry point per
poster; the PDF's code decodes to the poster's short URL, which counts a scan and opens the
notice page, whose sighting button carries the code on to the clue. The PDF shows the person
with the identity number masked, in embedded fonts, on A4 or A3; a notice no longer wanted
gets no poster, while its codes already on walls keep opening its page."""

import io
import zipfile
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A3, A4

from posters import notices, services
from posters.models import EntryPoint, ScanDay
from reporting.models import Clue
from tests.fugitives.conftest import english

from .conftest import decode
from .test_poster import _fonts_drawing, open_pdf

pytestmark = pytest.mark.django_db


def zh(message):
    """A message as the Chinese poster or page says it (whether or not it is translated yet)."""
    with translation.override("zh-hans"):
        return gettext(message)


FULL_IDENTITY = "990101198505060012"
MASKED_IDENTITY = "990101***********2"


def refusal_of(notice):
    with translation.override("zh-hans"), pytest.raises(notices.NotPrintable) as refused:
        notices.check_printable(notice)
    return str(refused.value)


def posters_of(notice):
    return f"/admin/posters/entry-points/notice/{notice.pk}/"


def make_poster(client, notice, location="路北区某派出所门前公告栏"):
    response = client.post(posters_of(notice), {"location": location})
    assert response.status_code == 302, response.content.decode()[:2000]
    return EntryPoint.objects.filter(page=notice).latest("created_at")


def flat(text):
    return text.replace("\r", "").replace("\n", "")


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("a3", A3), ("A3", A3), ("b9", A4)])
def test_the_notice_poster_shows_the_person_and_its_code(admin_client, demo, paper, size):
    notice = demo["wanted"]
    entry_point = make_poster(admin_client, notice)
    assert (entry_point.target, entry_point.page_id) == (EntryPoint.Target.PAGE, notice.pk)
    response = admin_client.get(f"/r/{entry_point.code}/poster.pdf?paper={paper}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, image, page_size = open_pdf(response.content)
    assert page_size == pytest.approx(size, abs=1)
    short_url = services.short_url(entry_point)
    assert decode(image) == [short_url]
    text = flat(text)
    for expected in (
        zh("Reward notice"),  # 悬赏通告: a reward is offered
        "（示例）张某某",
        "张老三",
        "50000",  # as the Chinese pages write it: no grouping by thousands
        MASKED_IDENTITY,
        "示例省示例县",
        "组织、领导黑社会性质组织罪",
        "示例市公安局（虚构）",
        "2026年3月1日",
        "示例市示例路 1 号",
        "自首",
        short_url,
        entry_point.code,
        "路北区某派出所门前公告栏",
    ):
        assert expected in text, expected
    assert FULL_IDENTITY not in text
    assert FULL_IDENTITY not in response.content.decode("latin-1")
    # The portrait is drawn: the PDF holds an image besides the code's squares.
    assert PdfReader(io.BytesIO(response.content)).pages[0].images


def test_every_font_of_the_notice_poster_is_embedded(admin_client, demo):
    entry_point = make_poster(admin_client, demo["wanted"])
    content = admin_client.get(f"/r/{entry_point.code}/poster.pdf").content
    fonts = PdfReader(io.BytesIO(content)).pages[0]["/Resources"]["/Font"]
    assert fonts
    for reference in fonts.values():
        font = reference.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), font
    snippets = [zh("Reward notice"), MASKED_IDENTITY, "https://", "·", "组织"]
    for snippet, (name, embedded) in _fonts_drawing(content, snippets).items():
        assert "WenQuanYi" in name and embedded, (snippet, name, embedded)


def test_an_english_notice_gets_an_english_poster(admin_client, demo):
    notice = english(demo["wanted"])
    entry_point = make_poster(admin_client, notice)
    response = admin_client.get(f"/r/{entry_point.code}/poster.pdf?paper=a3")
    text, image, size = open_pdf(response.content)
    assert size == pytest.approx(A3, abs=1)
    assert decode(image) == [services.short_url(entry_point)]
    text = flat(text)
    for expected in (
        "Reward notice",
        "(Example) Zhang Moumou",
        "Up to 50,000 yuan.",
        MASKED_IDENTITY,
    ):
        assert expected in text, expected


def test_a_notice_without_a_reward_is_titled_wanted(admin_client, demo):
    notice = demo["wanted"]
    notice.reward_yuan = None
    notice.save_revision().publish()
    entry_point = make_poster(admin_client, notice)
    text, _image, _size = open_pdf(admin_client.get(f"/r/{entry_point.code}/poster.pdf").content)
    assert zh("Wanted notice") in text and zh("Reward notice") not in text


def test_a_scan_counts_opens_the_notice_and_its_sighting_is_attributed(
    client,
    admin_client,
    demo,
    report_page,
    valid_data,
):
    notice = demo["wanted"]
    entry_point = make_poster(admin_client, notice)
    client.logout()
    content = client.get(f"/r/{entry_point.code}/poster.pdf").content
    [scanned] = decode(open_pdf(content)[1])
    response = client.get(urlsplit(scanned).path)
    assert response.status_code == 302
    assert response["Location"] == f"{notice.url}?entry={entry_point.code}"
    assert ScanDay.objects.get(entry_point=entry_point).count == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    sighting = f"{notice.sighting_url()}&amp;entry={entry_point.code}"
    assert f'href="{sighting}"' in page.content.decode()
    # Read without the code, the page's button carries none: nothing was kept from before.
    plain = client.get(notice.url).content.decode()
    assert f'href="{notice.sighting_url()}"' in plain and "entry=" not in plain
    html, hidden = report_page(sighting.replace("&amp;", "&"))
    assert f'name="entry" value="{entry_point.code}"' in html
    data = {**valid_data(), **hidden, "entry": entry_point.code}
    assert client.post("/report/", data).status_code == 302
    assert Clue.objects.get().entry_code == entry_point.code
    figures = services.figures([entry_point])[entry_point.pk]
    assert (figures.scans, figures.submitted) == (1, 1)


def test_the_admin_lists_a_notice_posters_with_their_downloads(admin_client, demo):
    notice = demo["wanted"]
    edit = admin_client.get(f"/admin/pages/{notice.pk}/edit/").content.decode()
    assert posters_of(notice) in edit
    first, second = make_poster(admin_client, notice), make_poster(admin_client, notice, "车站")
    assert first.code != second.code
    html = admin_client.get(posters_of(notice)).content.decode()
    for entry_point in (first, second):
        assert f"/r/{entry_point.code}/poster.pdf?paper=a3" in html
    # The posters' ZIP holds the notice's own poster.
    zipped = admin_client.get(f"/admin/posters/entry-points/posters.zip?id={first.pk}")
    assert zipped.status_code == 200


def test_a_notice_no_longer_wanted_gets_no_poster_but_its_codes_still_open_it(
    client,
    admin_client,
    demo,
):
    notice = demo["wanted"]
    entry_point = make_poster(admin_client, notice)
    notice.status = notice.Status.CAUGHT
    notice.save_revision().publish()
    response = admin_client.get(f"/r/{entry_point.code}/poster.pdf")
    assert response.status_code == 410
    refusal = refusal_of(notice)
    assert response.content.decode() == refusal
    zipped = admin_client.get(f"/admin/posters/entry-points/posters.zip?id={entry_point.pk}")
    assert zipfile.ZipFile(io.BytesIO(zipped.content)).namelist() == []
    refused = admin_client.post(posters_of(notice), {"location": "某处"})
    assert refused.status_code == 409
    assert EntryPoint.objects.filter(page=notice).count() == 1
    assert escape(refusal) in admin_client.get(posters_of(notice)).content.decode()
    client.logout()
    opened = client.get(f"/r/{entry_point.code}/", follow=True)
    assert opened.status_code == 200
    assert zh("The reward and the call for sightings are withdrawn.") in opened.content.decode()
    assert ScanDay.objects.get(entry_point=entry_point).count == 1


def test_a_withdrawn_notice_gets_no_poster_and_its_old_code_opens_the_withdrawn_page(
    client,
    admin_client,
    demo,
):
    caught = demo["caught"]
    assert caught.details_withdrawn
    response = admin_client.post(posters_of(caught), {"location": "某处"})
    assert response.status_code == 409
    assert not EntryPoint.objects.filter(page=caught).exists()
    # A code printed while the person was wanted.
    old = EntryPoint.objects.create(
        name="旧海报", location="某处", target=EntryPoint.Target.PAGE, page=caught
    )
    assert client.get(f"/r/{old.code}/poster.pdf").status_code == 410
    opened = client.get(f"/r/{old.code}/", follow=True)
    assert opened.status_code == 410  # the notice page's own answer, with the outcome
    assert "（示例）李某某" not in opened.content.decode()


def test_a_page_that_is_not_a_notice_or_no_page_is_not_found(admin_client, demo):
    assert admin_client.get(posters_of(demo["home"])).status_code == 404
    assert admin_client.get("/admin/posters/entry-points/notice/999999/").status_code == 404
    assert admin_client.post(posters_of(demo["index"]), {"location": "某处"}).status_code == 404
    assert not EntryPoint.objects.exists()


def test_posters_of_a_notice_need_the_permission_to_add_entry_points(client, demo, staff):
    notice = demo["wanted"]
    verifier = staff["verifier-tangshan"]
    client.force_login(verifier)
    # As the posters' own admin views answer: refused (the admin sends a signed-in staff
    # member without the permission back to its dashboard).
    assert client.get(posters_of(notice)).status_code in (302, 403)
    assert client.post(posters_of(notice), {"location": "某处"}).status_code in (302, 403)
    assert not EntryPoint.objects.exists()


def test_a_poster_needs_a_location(admin_client, demo):
    response = admin_client.post(posters_of(demo["wanted"]), {"location": " "})
    assert response.status_code == 400
    assert not EntryPoint.objects.exists()


def test_the_demo_prints_a_poster_of_its_wanted_notice(client):
    from io import StringIO

    from django.core.management import call_command

    from posters.demo import NOTICE_POSTER

    code = NOTICE_POSTER[0]
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    call_command("load_demo_content", stdout=StringIO())  # idempotent
    assert f"/r/{code}/poster.pdf" in out.getvalue()
    entry_point = EntryPoint.objects.get(code=code)
    assert EntryPoint.objects.filter(page=entry_point.page).count() == 1
    assert entry_point.page.specific.is_wanted
    response = client.get(f"/r/{code}/")
    assert response["Location"] == f"{entry_point.page.url}?entry={code}"
    poster = client.get(f"/r/{code}/poster.pdf?paper=a3")
    assert poster.status_code == 200
    assert decode(open_pdf(poster.content)[1]) == [services.short_url(entry_point)]


def test_long_texts_shrink_the_body_and_leave_the_code_readable(admin_client, demo):
    notice = demo["wanted"]
    notice.description = "体型偏瘦，说示例方言，左手背有疤痕。" * 40
    notice.reward_rules = "提供线索直接抓获的，奖励人民币五万元。" * 30
    notice.save_revision().publish()
    entry_point = make_poster(admin_client, notice)
    text, image, _size = open_pdf(admin_client.get(f"/r/{entry_point.code}/poster.pdf").content)
    assert decode(image) == [services.short_url(entry_point)]
    text = flat(text)
    # Everything is still there, the issuer last, the small print intact.
    assert text.count("左手背有疤痕") == 40
    assert "2026年3月1日" in text and "路北区某派出所门前公告栏" in text
