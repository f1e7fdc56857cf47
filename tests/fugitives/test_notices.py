"""Wanted notices as readers see them, in both languages: the person, the masked identity
number, the legal basis linked to the law's articles, the reward, the sighting link; the list
with its filters, wanted first; the feed; the home page's feature."""

from xml.etree import ElementTree

from django.urls import reverse

import pytest

from fugitives.models import NoticePage, masked_identity

from .conftest import english

pytestmark = pytest.mark.django_db


def test_a_wanted_notice_in_chinese(client, demo):
    notice = demo["wanted"]
    response = client.get("/wanted/example-2026-01/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "（示例）张某某" in html and "体型偏瘦" in html
    assert f'alt="{notice.portrait_alt}"' in html and ".webp" in html
    # The identity number only masked.
    assert "990101***********2" in html
    assert "990101198505060012" not in html
    # This law's articles link to their pages; the Criminal Law's do not.
    assert '<a href="/law/article-2/">本法第二条</a>' in html
    assert '<a href="/law/article-22/">第二十二条</a>' in html
    assert "第二百九十四条；" in html and "article-294" not in html
    assert "50000" in html and "提供线索直接抓获的" in html
    assert f'href="/report/?notice={notice.pk}"' in html
    assert "自动投案" in html and "示例市示例路 1 号" in html


def test_a_wanted_notice_in_english(client, demo):
    notice = english(demo["wanted"])
    response = client.get("/en/wanted/example-2026-01/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "(Example) Zhang Moumou" in html and "Slim build" in html
    assert "Report a sighting" in html and "Do not approach" in html
    assert f'href="/en/report/?notice={notice.pk}"' in html
    assert '<a href="/en/law/article-22/">第二十二条</a>' in html
    assert "Giving yourself up" in html and "lighter or reduced punishment" in html
    assert "Up to 50,000 yuan." in html
    assert 'hreflang="zh-Hans" href="https://portal.example.test/wanted/example-2026-01/"' in html


def test_the_identity_number_is_masked_whatever_its_length():
    assert masked_identity("990101198505060012") == "990101***********2"
    assert masked_identity("990101850506001") == "990101********1"
    assert masked_identity("") == ""


def shown(html):
    return {slug for slug in ("example-2026-01", "example-2025-07") if f"/{slug}/" in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"example-2026-01", "example-2025-07"}),
        ("?region=示例省", {"example-2026-01"}),
        ("?region=示例市", {"example-2025-07"}),
        ("?offence=敲诈勒索罪", {"example-2025-07"}),
        ("?status=wanted", {"example-2026-01"}),
        ("?status=caught", {"example-2025-07"}),
        ("?status=surrendered", set()),
        ("?status=nonsense", {"example-2026-01", "example-2025-07"}),
        ("?region=没有这个地方&page=-1", set()),
    ],
)
def test_the_list_filters(client, demo, query, expected):
    response = client.get("/wanted/" + query)
    assert response.status_code == 200
    assert shown(response.content.decode()) == expected


def test_the_list_shows_the_wanted_first(client, demo):
    # The caught notice was issued earlier; make it the newest to see the order hold.
    caught = demo["caught"]
    caught.issued_on = demo["wanted"].issued_on.replace(year=2027)
    caught.save_revision().publish()
    html = client.get("/wanted/").content.decode()
    assert html.index("/example-2026-01/") < html.index("/example-2025-07/")
    html = client.get("/en/wanted/").content.decode()
    assert html.index("/en/wanted/example-2026-01/") < html.index("/en/wanted/example-2025-07/")


def test_the_feed_lists_notices_still_showing_their_details(client, demo):
    for url in ("/wanted/feed/rss/", "/en/wanted/feed/atom/"):
        response = client.get(url)
        assert response.status_code == 200
        ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
        body = response.content.decode()
        assert "example-2026-01" in body
        assert "example-2025-07" not in body  # the demo's caught notice: details withdrawn


def test_the_home_page_features_a_wanted_notice(client, demo):
    html = client.get("/").content.decode()
    assert 'href="/wanted/example-2026-01/"' in html
    html = client.get("/en/").content.decode()
    assert 'href="/en/wanted/example-2026-01/"' in html
    # Not once the person is caught.
    notice = demo["wanted"]
    notice.status = NoticePage.Status.CAUGHT
    notice.full_clean()
    notice.save_revision().publish()
    assert 'href="/wanted/example-2026-01/"' not in client.get("/").content.decode()


def test_the_notice_pages_are_in_the_admin(admin_client, demo):
    for notice in (demo["wanted"], demo["caught"]):
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[notice.pk]))
        assert response.status_code == 200
        assert 'name="identity_number"' in response.content.decode()


def test_a_translated_notice_links_to_the_law_in_its_own_language(client, demo):
    notice = english(demo["wanted"])
    notice.law_page = demo["wanted"].law_page  # as Translate copies it: the Chinese law
    notice.save_revision().publish()
    html = client.get("/en/wanted/example-2026-01/").content.decode()
    assert '<a href="/en/law/article-22/">第二十二条</a>' in html
