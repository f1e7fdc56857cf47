"""Whole pages for anonymous readers (portal/pagecache/): served again without a query,
stale as soon as anything they show changes, never stored for or served to anyone who is not
an anonymous reader of a public page, with headers a shared cache can act on."""

import gzip
from datetime import date

from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from wagtail.models import Locale, Page
from wagtail.test.utils.form_data import (
    querydict_from_html,
)

import brotli
import pytest

import transparency.demo
from content.models import NewsIndexPage, NewsPage, StandardPage
from portal.models import FooterLink, PortalSettings
from tests.conftest import empty
from tests.site.page_cache.helpers import PRIVATE, PUBLIC, cached, menu_page, rendered
from transparency.models import Snapshot

pytestmark = pytest.mark.django_db


def test_a_page_is_served_again_without_touching_the_database(
    reader, site_tree, django_assert_num_queries
):
    response = cached(reader, "/", django_assert_num_queries)
    assert response["Cache-Control"] == PUBLIC
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    # The security headers are kept with the page, or added again to every answer.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"].startswith("camera=()")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Language"] == "zh-hans"
    assert "Set-Cookie" not in response and not response.cookies
    # The URL alone decides the language, so shared caches need not split on the browser's;
    # they must on the encoding, as a browser that takes brotli gets it.
    assert response["Vary"] == "Accept-Encoding"


def test_a_browser_gets_the_page_compressed_as_it_accepts(
    reader, site_tree, django_assert_num_queries
):
    plain = cached(reader, "/", django_assert_num_queries)
    assert "Content-Encoding" not in plain
    assert int(plain["Content-Length"]) == len(plain.content)
    for accept, encoding, unpack in (
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip;q=1.0, br;q=0", "gzip", gzip.decompress),
        ("identity, *;q=0.5", "br", brotli.decompress),
    ):
        with django_assert_num_queries(0):
            response = reader.get("/", headers={"accept-encoding": accept})
        assert response["Content-Encoding"] == encoding
        assert unpack(response.content) == plain.content
        assert len(response.content) * 2 < len(plain.content)
        assert int(response["Content-Length"]) == len(response.content)
        assert response["Vary"] == "Accept-Encoding"
        # Another representation, another validator; and a 304 for the one the browser has.
        assert response["ETag"] == f'{plain["ETag"][:-1]}-{encoding}"'
        again = reader.get(
            "/", headers={"accept-encoding": accept, "if-none-match": response["ETag"]}
        )
        assert again.status_code == 304
    for refused in ("identity", "br;q=0, gzip;q=0", "compress", "br;q=nonsense"):
        response = reader.get("/", headers={"accept-encoding": refused})
        assert "Content-Encoding" not in response, refused
        assert response.content == plain.content


def test_a_browser_that_has_the_page_gets_304(reader, site_tree, django_assert_num_queries):
    first = reader.get("/")
    with django_assert_num_queries(0):
        again = reader.get("/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == PUBLIC
    since = reader.get("/", headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    # A miss answers a conditional request too.
    empty(caches["pages"])
    assert reader.get("/", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_each_language_is_its_own_page_whatever_the_browser_asks(
    reader, site_tree, django_assert_num_queries
):
    chinese = cached(reader, "/", django_assert_num_queries, accept_language="en")
    english = cached(reader, "/en/", django_assert_num_queries, accept_language="zh-hans")
    assert '<html lang="zh-Hans">' in chinese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert reader.get("/", headers={"accept-language": "en"}).content == chinese.content
    assert english["Content-Language"] == "en"


def test_head_requests_are_answered_from_the_cache(reader, site_tree, django_assert_num_queries):
    reader.get("/")
    with django_assert_num_queries(0):
        response = reader.head("/")
    assert response.status_code == 200 and response["ETag"]


def test_publishing_a_page_shows_at_once(reader, site_tree):
    home = site_tree["home"]
    reader.get("/")
    home.title = "新的首页标题"
    home.save_revision().publish()
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and "新的首页标题" in response.content.decode()


def test_a_draft_does_not_empty_the_cache(reader, site_tree):
    home = site_tree["home"]
    reader.get("/")
    home.title = "草稿标题"
    home.save_revision()
    response, was_rendered = rendered(reader, "/")
    assert not was_rendered and "草稿标题" not in response.content.decode()


def test_unpublishing_and_moving_a_page_update_the_menu(reader, site_tree):
    page = menu_page(site_tree)
    assert "举报指南" in reader.get("/").content.decode()

    page.unpublish()
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and "举报指南" not in response.content.decode()

    page.save_revision().publish()
    assert 'href="/guide/"' in reader.get("/").content.decode()
    other = menu_page(site_tree, slug="about", title="关于")
    page.move(other, pos="last-child")
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and "举报指南" not in response.content.decode()


def test_deleting_a_page_updates_the_menu(reader, site_tree):
    page = menu_page(site_tree)
    assert "举报指南" in reader.get("/").content.decode()
    Page.objects.get(pk=page.pk).delete()
    assert "举报指南" not in reader.get("/").content.decode()


def test_settings_and_footer_links_show_at_once(reader, site_tree):
    portal_settings = PortalSettings.for_site(site_tree["site"])
    reader.get("/")
    portal_settings.hotline = "010-1234 5678"
    portal_settings.save()
    assert "010-1234 5678" in reader.get("/").content.decode()

    link = FooterLink.objects.create(
        portal_settings=portal_settings, title_zh="隐私说明", title_en="Privacy", link_url="/p/"
    )
    assert "隐私说明" in reader.get("/").content.decode()
    link.delete()
    assert "隐私说明" not in reader.get("/").content.decode()


def test_a_new_translation_shows_in_the_language_switch(reader, site_tree):
    page = menu_page(site_tree)
    reader.get(page.url)
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    assert 'href="/en/" lang="en"' in reader.get(page.url).content.decode()
    english.save_revision().publish()
    assert f'href="{english.url}" lang="en"' in reader.get(page.url).content.decode()


def test_a_new_statistics_snapshot_shows_at_once(reader, site_tree):
    page = transparency.demo.load()
    transparency.demo.refresh()
    first = reader.get(page.url).content
    Snapshot.objects.update(figures={**Snapshot.objects.get().figures, "minimum": 7})
    assert reader.get(page.url).content == first  # queryset updates send no signal
    transparency.demo.refresh()
    _response, was_rendered = rendered(reader, page.url)
    assert was_rendered


def test_a_staff_member_never_gets_or_leaves_a_cached_page(client, reader, superuser, site_tree):
    client.force_login(superuser)
    staff_view, was_rendered = rendered(client, "/")
    assert was_rendered and staff_view["Cache-Control"] == PRIVATE
    # The staff member's page was not kept: the reader's first visit renders.
    _response, was_rendered = rendered(reader, "/")
    assert was_rendered
    # And a page kept for readers is not given to the staff member.
    _response, was_rendered = rendered(client, "/")
    assert was_rendered


def test_a_preview_is_never_the_cached_page(admin_client, reader, site_tree):
    home = site_tree["home"]
    reader.get("/")
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    form = querydict_from_html(editor.content.decode(), form_id="page-edit-form")
    form["title"] = "预览中的标题"
    assert admin_client.post(preview_url, form).json()["is_valid"]
    preview = admin_client.get(preview_url, {"in_preview_panel": "true"})
    assert "预览中的标题" in preview.content.decode()
    assert "private" in preview["Cache-Control"]
    assert "预览中的标题" not in reader.get("/").content.decode()


def test_a_preview_shows_its_own_sections_not_the_kept_ones(admin_client, reader, site_tree):
    """The home page's sections are kept until the content changes; a preview of a draft
    that points them elsewhere must show the draft's, and leave the kept ones alone."""
    home = site_tree["home"]
    index = NewsIndexPage(title="预览新闻栏目", slug="preview-news")
    home.add_child(instance=index)
    index.save_revision().publish()
    item = NewsPage(
        title="只在预览里的新闻", slug="only-in-preview", summary="摘要", date=date(2026, 1, 1)
    )
    index.add_child(instance=item)
    item.save_revision().publish()
    assert "只在预览里的新闻" not in reader.get("/").content.decode()

    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    form = querydict_from_html(editor.content.decode(), form_id="page-edit-form")
    form["news_index"] = str(index.pk)
    assert admin_client.post(preview_url, form).json()["is_valid"]
    preview = admin_client.get(preview_url, {"in_preview_panel": "true"})
    assert "只在预览里的新闻" in preview.content.decode()
    assert "只在预览里的新闻" not in reader.get("/").content.decode()
    with override_settings(PAGE_CACHE_SECONDS=0):
        assert "只在预览里的新闻" not in reader.get("/").content.decode()


def test_the_menu_and_footer_are_kept_until_the_content_changes(
    reader, site_tree, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    reader.get("/")
    reader.get("/")
    # Rendered again, the page reads only what routes it: not the menu, the footer, the
    # site, the home page's sections or its translations.
    with django_assert_max_num_queries(6):
        assert reader.get("/").status_code == 200
    page = StandardPage(title="新的菜单项", slug="new-in-menu", show_in_menus=True)
    site_tree["home"].add_child(instance=page)
    page.save_revision().publish()
    assert "新的菜单项" in reader.get("/").content.decode()
    portal_settings = PortalSettings.for_site(site_tree["site"])
    portal_settings.hotline = "010-12345678"
    portal_settings.save()
    assert "010-12345678" in reader.get("/").content.decode()
    settings.PAGE_PARTS_CACHE_SECONDS = 0
    with django_assert_max_num_queries(30) as captured:
        reader.get("/")
    assert len(captured) > 6
