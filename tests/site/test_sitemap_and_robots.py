import re
import xml.etree.ElementTree as ET

from django.test import override_settings

from wagtail.models import Locale, PageViewRestriction

import pytest

from content.factories import HomePageFactory

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
BASE = "https://portal.example.test"


def entries(response):
    """{location: {hreflang: href}} from a sitemap response."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ET.fromstring(response.content)  # noqa: S314 (our own response)
    return {
        url.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        }
        for url in tree.findall("s:url", NS)
    }


@pytest.fixture
def pages(site_tree):
    """A translated page, a Chinese-only page, a private page and a draft."""
    en = Locale.objects.get(language_code="en")
    guide = HomePageFactory(parent=site_tree["home"], slug="guide", title="举报指南")
    english = guide.copy_for_translation(en)
    english.title = "How to report"
    english.save_revision().publish()
    english.refresh_from_db()
    only_zh = HomePageFactory(parent=site_tree["home"], slug="only-zh", title="仅有中文")
    private = HomePageFactory(parent=site_tree["home"], slug="private", title="内部")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    HomePageFactory(parent=site_tree["home"], slug="draft", title="草稿", live=False)
    return {"guide": guide, "en_guide": english, "only_zh": only_zh}


@pytest.mark.django_db
def test_sitemap_lists_live_public_pages_of_both_languages(client, pages):
    urls = entries(client.get("/sitemap.xml"))
    assert set(urls) == {
        f"{BASE}/",
        f"{BASE}/en/",
        f"{BASE}/guide/",
        f"{BASE}/en/guide/",
        f"{BASE}/only-zh/",
    }


@pytest.mark.django_db
def test_sitemap_gives_translated_pages_their_alternates(client, pages):
    urls = entries(client.get("/sitemap.xml"))
    expected = {
        "zh-Hans": f"{BASE}/guide/",
        "en": f"{BASE}/en/guide/",
        "x-default": f"{BASE}/guide/",
    }
    assert urls[f"{BASE}/guide/"] == expected
    assert urls[f"{BASE}/en/guide/"] == expected
    assert urls[f"{BASE}/en/"]["x-default"] == f"{BASE}/"
    assert urls[f"{BASE}/only-zh/"] == {}  # nothing to alternate with


@pytest.mark.django_db
def test_sitemap_drops_a_translation_once_unpublished(client, pages):
    pages["en_guide"].unpublish()
    urls = entries(client.get("/sitemap.xml"))
    assert f"{BASE}/en/guide/" not in urls
    assert urls[f"{BASE}/guide/"] == {}


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["*"])
@pytest.mark.parametrize("host", ["attacker.example", "localhost", "127.0.0.1:8080"])
def test_sitemap_urls_never_come_from_the_host_header(client, pages, host):
    response = client.get("/sitemap.xml", HTTP_HOST=host, secure=False)
    body = response.content.decode()
    locations = re.findall(r'(?:<loc>|href=")(https?://[^/"<]+)', body)
    assert locations and set(locations) == {BASE}


@pytest.mark.django_db
def test_sitemap_is_not_language_prefixed(client, site_tree):
    assert client.get("/en/sitemap.xml").status_code == 404


@pytest.mark.django_db
def test_robots_txt(client, site_tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    for path in ["/admin/", "/report/", "/en/report/", "/r/"]:
        assert f"Disallow: {path}" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert lines[0] == "User-agent: *"


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["*"])
def test_robots_txt_points_to_the_canonical_sitemap_whatever_the_host(client, site_tree):
    response = client.get("/robots.txt", HTTP_HOST="attacker.example")
    assert f"Sitemap: {BASE}/sitemap.xml" in response.content.decode()
    assert "attacker" not in response.content.decode()
