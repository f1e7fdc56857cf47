import re
from collections import Counter

from wagtail.models import Locale

import pytest

from content.factories import HomePageFactory

BASE = "https://portal.example.test"


def head(response):
    assert response.status_code == 200
    return response.content.decode().split("</head>")[0]


def meta(html, attribute, name):
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert len(found) == 1, (name, found)
    return found[0]


def links(html, rel):
    return re.findall(rf'<link rel="{rel}"(?: hreflang="([^"]+)")? href="([^"]+)">', html)


@pytest.fixture
def guide(site_tree):
    page = HomePageFactory(
        parent=site_tree["home"],
        slug="guide",
        title="举报指南",
        seo_title="如何举报线索",
        search_description="举报前需要准备什么 & 如何保护自己",
    )
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "How to report"
    english.seo_title = english.search_description = ""
    english.save_revision().publish()
    return page


@pytest.mark.django_db
def test_chinese_page_head(client, guide):
    html = head(client.get("/guide/"))
    assert meta(html, "name", "description") == "举报前需要准备什么 &amp; 如何保护自己"
    assert meta(html, "property", "og:description") == "举报前需要准备什么 &amp; 如何保护自己"
    assert meta(html, "property", "og:title") == "如何举报线索"
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:url") == f"{BASE}/guide/"
    assert meta(html, "property", "og:locale") == "zh_CN"
    assert meta(html, "property", "og:locale:alternate") == "en_US"
    assert meta(html, "property", "og:site_name")
    assert links(html, "canonical") == [("", f"{BASE}/guide/")]
    assert links(html, "alternate") == [
        ("zh-Hans", f"{BASE}/guide/"),
        ("en", f"{BASE}/en/guide/"),
        ("x-default", f"{BASE}/guide/"),
    ]


@pytest.mark.django_db
def test_english_page_head_falls_back_to_a_default_description(client, guide):
    html = head(client.get("/en/guide/"))
    assert meta(html, "name", "description").startswith("Learn the Anti-Organized Crime Law")
    assert meta(html, "property", "og:title") == "How to report"
    assert meta(html, "property", "og:url") == f"{BASE}/en/guide/"
    assert meta(html, "property", "og:locale") == "en_US"
    assert meta(html, "property", "og:site_name") == "Anti-Organized Crime Portal"
    assert links(html, "canonical") == [("", f"{BASE}/en/guide/")]
    assert ("en", f"{BASE}/en/guide/") in links(html, "alternate")


@pytest.mark.django_db
def test_home_page_is_a_website_and_untranslated_pages_have_no_alternates(client, site_tree):
    html = head(client.get("/"))
    assert meta(html, "property", "og:type") == "website"
    assert links(html, "canonical") == [("", f"{BASE}/")]
    page = HomePageFactory(parent=site_tree["home"], slug="only-zh", title="仅有中文")
    html = head(client.get(page.url))
    assert links(html, "alternate") == []
    assert links(html, "canonical") == [("", f"{BASE}/only-zh/")]


@pytest.mark.django_db
def test_canonical_url_ignores_the_host_header(client, site_tree, settings):
    settings.ALLOWED_HOSTS = ["*"]
    html = head(client.get("/", HTTP_HOST="attacker.example"))
    assert "attacker" not in html
    assert links(html, "canonical") == [("", f"{BASE}/")]


@pytest.mark.django_db
def test_a_non_page_view_has_a_description_but_no_canonical(client, site_tree):
    html = head(client.get("/report/"))
    assert meta(html, "name", "description")
    assert links(html, "canonical") == []


@pytest.mark.django_db
def test_each_address_is_worked_out_once_per_page_view(client, guide, monkeypatch, settings):
    """The head (canonical, alternates) and the language switch name the same two pages
    several times; Wagtail reverses a URL for each answer, so each page's path is worked out
    once, and once more inside its relative URL (Page.get_url)."""
    from wagtail.models import Page

    settings.PAGE_CACHE_SECONDS = 0
    asked = []
    get_url_parts = Page.get_url_parts

    def counted(page, request=None):
        asked.append(page.pk)
        return get_url_parts(page, request)

    monkeypatch.setattr(Page, "get_url_parts", counted)
    html = client.get("/guide/").content.decode()
    assert f'href="{BASE}/en/guide/"' in html and 'href="/en/guide/"' in html
    assert sorted(Counter(asked).values()) == [2, 2]
