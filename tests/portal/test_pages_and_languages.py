import re

from django.urls import reverse

from wagtail.models import Locale

import pytest

from content.factories import HomePageFactory


def text(response):
    return response.content.decode()


@pytest.mark.django_db
def test_chinese_is_the_default_language_without_a_prefix(client, site_tree):
    response = client.get("/")
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert site_tree["home"].title in html
    assert "举报线索" in html  # the report action, translated


@pytest.mark.django_db
def test_unprefixed_urls_stay_chinese_whatever_the_browser_asks(client, site_tree):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="zh-Hans">' in text(response)


@pytest.mark.django_db
def test_english_lives_under_en(client, site_tree):
    response = client.get("/en/")
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert site_tree["en_home"].title in html
    assert "Report a clue" in html
    assert "Skip to main content" in html


@pytest.mark.django_db
def test_language_switch_links_each_page_to_its_translation(client, site_tree):
    zh_html = text(client.get("/"))
    en_html = text(client.get("/en/"))
    assert re.search(r'<a href="/en/" lang="en" hreflang="en">English</a>', zh_html)
    assert re.search(r'<a href="/" lang="zh-Hans" hreflang="zh-Hans">简体中文</a>', en_html)
    assert '<span aria-current="true" lang="zh-Hans">简体中文</span>' in zh_html


@pytest.mark.django_db
def test_language_switch_falls_back_to_home_when_a_page_is_untranslated(client, site_tree):
    page = HomePageFactory(parent=site_tree["home"], slug="only-chinese", title="仅有中文")
    html = text(client.get(page.url))
    assert '<a href="/en/" lang="en" hreflang="en">English</a>' in html


@pytest.mark.django_db
def test_language_switch_on_a_non_page_url_keeps_the_route(client, site_tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = text(response)
    assert "页面不存在" in html
    assert 'href="/en/no-such-page/"' in html
    en = client.get("/en/no-such-page/")
    assert en.status_code == 404
    assert "Page not found" in text(en)


@pytest.mark.django_db
def test_footer_shows_the_hotline_from_site_settings(client, site_tree):
    from portal.models import PortalSettings

    setting = PortalSettings.for_site(site_tree["site"])
    setting.hotline = "010-1234 5678"
    setting.save()
    html = text(client.get("/"))
    assert '<a href="tel:01012345678">010-1234 5678</a>' in html


@pytest.mark.django_db
def test_pages_are_accessible_by_structure(client, site_tree):
    html = text(client.get("/"))
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert html.count("<h1") == 1
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_permissions_policy_turns_off_sensors(client, site_tree):
    response = client.get("/")
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


@pytest.mark.django_db
def test_admin_login_page_is_served(client):
    response = client.get(reverse("wagtailadmin_login"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_superuser_reaches_the_admin_dashboard(admin_client, site_tree):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_english_locale_exists_for_translations(site_tree):
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"zh-hans", "en"}


# What a browser fetches by itself (links the reader may choose to follow are not loads, nor
# are the canonical and hreflang links, which only name this page's own addresses).
LOADED = re.compile(
    r'<(?:img|script|iframe|source|video|audio|embed)\b[^>]*?\s(?:src|srcset)="([^"]+)"'
    r'|<link\b(?![^>]*\srel="(?:canonical|alternate)")[^>]*?\shref="([^"]+)"'
    r'|<form\b[^>]*?\saction="([^"]+)"'
    r'|url\(\s*["\']?([^"\')]+)'
)


def third_party_loads(html):
    found = []
    for match in LOADED.finditer(html):
        url = next(group for group in match.groups() if group)
        if url.startswith(("http://", "https://", "//")):
            found.append(url)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/en/", "/report/", "/en/report/status/"])
def test_public_pages_load_nothing_from_other_sites(client, site_tree, url):
    assert third_party_loads(text(client.get(url))) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/pages/", "/admin/account/"])
def test_admin_pages_load_nothing_from_other_sites(admin_client, site_tree, url):
    """Reviewers' browsers must not tell a third party (gravatar, CDNs) who they are."""
    html = text(admin_client.get(url))
    assert third_party_loads(html) == []
    assert "gravatar" not in html
