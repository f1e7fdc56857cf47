"""Whole pages for anonymous readers (portal/pagecache/): served again without a query,
stale as soon as anything they show changes, never stored for or served to anyone who is not
an anonymous reader of a public page, with headers a shared cache can act on."""

import gzip
import os
from datetime import date

from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

import brotli
import pytest

import content.demo_stories
import law.demo
import transparency.demo
from content.models import NewsIndexPage, NewsPage, StandardPage
from law.models import LawArticle, LawPage
from portal.models import FooterLink, PortalSettings
from portal.pagecache.generation import GENERATION_KEY, release
from tests.conftest import empty
from transparency.models import Snapshot

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, s-maxage=60"
PRIVATE = "private, no-store"


@pytest.fixture
def site_tree(site_tree):
    """With its settings row, which the first page rendered would otherwise create (and so
    invalidate the pages, as any new setting does)."""
    PortalSettings.for_site(site_tree["site"])
    return site_tree


@pytest.fixture
def reader():
    """An anonymous browser: no session, no cookies at all."""
    return Client()


def cached(reader, url, django_assert_num_queries, **headers):
    """The page as the cache answers it: the second fetch, without one SQL query."""
    first = reader.get(url, headers=headers)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = reader.get(url, headers=headers)
    assert again.content == first.content
    return again


def rendered(reader, url):
    """True when the page was rendered (a view ran: it read the database or rendered a
    template), False when the cache answered. Parts kept for every page (the menu, the site)
    may let a render read nothing, so the templates count too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = reader.get(url)
    return response, len(queries) > 0 or bool(response.templates)


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


def menu_page(site_tree, slug="guide", title="举报指南"):
    page = site_tree["home"].add_child(
        instance=StandardPage(title=title, slug=slug, show_in_menus=True, live=False)
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


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


@pytest.fixture(params=["in-process", "redis"])
def kept_in(request):
    """Where pages and parts are kept. A change empties this process's own cache, so only
    with Redis does the generation alone make what is kept stale."""
    if request.param == "redis":
        request.getfixturevalue("redis_pages")
    return request.param


def demo_story_and_law():
    stories, _news = content.demo_stories.load()
    page = law.demo.load()
    story = stories.get_children().live().first().specific
    return stories, story, page


def test_the_home_page_a_story_and_a_law_article_read_nothing_until_the_content_changes(
    reader, site_tree, kept_in, settings, django_assert_num_queries
):
    """With the page cache off, a render finds the route to the page and the page's text
    kept; a publication shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    _stories, story, page = demo_story_and_law()
    article_url = f"{page.url}article-5/"
    for url in ("/", story.url, article_url):
        reader.get(url)
        reader.get(url)
        with django_assert_num_queries(0):
            assert reader.get(url).status_code == 200

    story.title = "改过的故事标题"
    story.body = [("paragraph", RichText("<p>发布后的新段落。</p>"))]
    story.save_revision().publish()
    shown = reader.get(story.url).content.decode()
    assert "<h1>改过的故事标题</h1>" in shown and "发布后的新段落。" in shown

    page = LawPage.objects.get(pk=page.pk)
    articles = list(page.articles.all())
    next(article for article in articles if article.number == 5).text = "发布后的新条文。"
    page.articles = articles
    page.save_revision().publish()
    assert "发布后的新条文。" in reader.get(article_url).content.decode()


def test_moving_unpublishing_or_restricting_a_page_changes_its_kept_route(
    reader, site_tree, kept_in, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    _stories, story, _page = demo_story_and_law()
    old_url = story.url
    for _ in range(2):
        assert reader.get(old_url).status_code == 200

    other = StandardPage(title="另一个栏目", slug="elsewhere")
    site_tree["home"].add_child(instance=other)
    other.save_revision().publish()
    story.move(other, pos="last-child")
    story.refresh_from_db()
    moved = reader.get(old_url)
    assert moved.status_code == 301 and moved["Location"] == story.url
    assert "<h1>" + story.title + "</h1>" in reader.get(story.url).content.decode()

    PageViewRestriction.objects.create(
        page=other, restriction_type=PageViewRestriction.PASSWORD, password="secret-words"
    )
    assert 'name="password"' in reader.get(story.url).content.decode()
    reader.cookies.clear()
    PageViewRestriction.objects.filter(page=other).delete()
    assert reader.get(story.url).status_code == 200

    story.unpublish()
    assert reader.get(story.url).status_code == 404


def test_an_article_a_law_does_not_have_is_not_found_until_it_is_published(
    reader, site_tree, kept_in, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    _stories, _story, page = demo_story_and_law()
    url = f"{page.url}article-900/"
    for _ in range(2):
        assert reader.get(url).status_code == 404
    page.articles.add(LawArticle(number=900, chapter_number=1, text="新增的条文。"))
    page.save()
    page.save_revision().publish()
    assert "新增的条文。" in reader.get(url).content.decode()


def test_a_preview_of_a_story_shows_its_draft_not_the_kept_text(admin_client, site_tree, settings):
    settings.PAGE_CACHE_SECONDS = 0
    # The site's own host name, which Wagtail's preview also renders for.
    reader = Client(HTTP_HOST=site_tree["site"].hostname)
    _stories, story, _page = demo_story_and_law()
    published = f"<h1>{story.title}</h1>"
    for _ in range(2):
        assert published in reader.get(story.url).content.decode()

    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[story.pk])
    # StreamField editors are drawn by JavaScript, so the form data is written out.
    form = nested_form_data(
        {
            "title": "预览中的故事标题",
            "slug": story.slug,
            "person": story.person,
            "date": "2026-01-01",
            "body": streamfield([("paragraph", rich_text("<p>只在预览里的段落。</p>"))]),
            "tags": "",
        }
    )
    assert admin_client.post(preview_url, form).json()["is_valid"]
    for _ in range(2):
        preview = admin_client.get(preview_url, {"in_preview_panel": "true"}).content.decode()
        assert "<h1>预览中的故事标题</h1>" in preview and "只在预览里的段落。" in preview
        assert published not in preview
    shown = reader.get(story.url).content.decode()
    assert published in shown and "只在预览里的段落。" not in shown


def test_report_form_status_page_and_poster_codes_are_never_stored(reader, site_tree):
    import reporting.demo

    reporting.demo.load()
    for url in ("/report/", "/en/report/", "/report/status/"):
        reader.cookies.clear()
        first = reader.get(url)
        assert first.status_code == 200
        assert "no-store" in first["Cache-Control"]
        reader.cookies.clear()
        _response, was_rendered = rendered(reader, url)
        assert was_rendered, url


def test_a_page_behind_a_password_is_never_stored(reader, site_tree):
    page = menu_page(site_tree)
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret-words"
    )
    form = reader.get(page.url)
    assert 'name="password"' in form.content.decode()
    assert "no-store" in form["Cache-Control"]
    reader.cookies.clear()
    _response, was_rendered = rendered(reader, page.url)
    assert was_rendered


def test_a_restriction_added_later_takes_the_page_out_of_the_cache(reader, site_tree):
    page = menu_page(site_tree)
    assert "举报指南" in reader.get(page.url).content.decode()
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret-words"
    )
    assert 'name="password"' in reader.get(page.url).content.decode()


def test_search_terms_and_poster_codes_are_not_kept(reader, site_tree):
    for url in ("/search/?q=%E6%B3%95", "/?entry=TSMKT2", "/?utm_source=x"):
        first = reader.get(url)
        assert first.status_code == 200 and first["Cache-Control"] == PRIVATE
        _response, was_rendered = rendered(reader, url)
        assert was_rendered, url
    # The search page itself, and the site's own listing parameters, are kept.
    for url in ("/search/", "/?page=2"):
        reader.get(url)
        _response, was_rendered = rendered(reader, url)
        assert not was_rendered, url


def test_a_cookie_from_another_page_does_not_matter_but_a_session_does(reader, site_tree):
    reader.get("/")
    reader.cookies["csrftoken"] = "x" * 32
    _response, was_rendered = rendered(reader, "/")
    assert not was_rendered
    reader.cookies["sessionid"] = "anything"
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and response["Cache-Control"] == PRIVATE


def test_pages_of_a_story_and_a_law_are_kept(reader, site_tree, django_assert_num_queries):
    stories, _news = content.demo_stories.load()
    page = law.demo.load()
    story = stories.get_children().live().first()
    for url in (story.url, page.url, f"{page.url}article-5/", stories.url):
        cached(reader, url, django_assert_num_queries)


def test_another_process_invalidates_this_ones_pages(reader, site_tree, run_django, settings):
    """Without Redis every web process keeps its own pages; a publication in another process
    (the task worker, scheduled publishing) reaches them through the stamp file."""
    reader.get("/")
    code = (
        "import django; django.setup(); "
        "from portal.pagecache.invalidation import invalidate; invalidate()"
    )
    result = run_django(code, {"PAGE_CACHE_STAMP": str(settings.PAGE_CACHE_STAMP)})
    assert result.returncode == 0, result.stderr
    _response, was_rendered = rendered(reader, "/")
    assert was_rendered


@pytest.fixture
def redis_pages(settings):
    """The pages in Redis, as with REDIS_URL, under a prefix of this test process."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-pages-{os.getpid()}",
        },
    }
    release.cache_clear()
    yield caches["pages"]
    empty(caches["pages"])
    release.cache_clear()


def test_with_redis_pages_are_shared_and_invalidated(
    reader, site_tree, redis_pages, django_assert_num_queries
):
    cached(reader, "/", django_assert_num_queries)
    generation = redis_pages.get(GENERATION_KEY)
    home = site_tree["home"]
    home.title = "Redis 中的新标题"
    home.save_revision().publish()
    assert redis_pages.get(GENERATION_KEY) != generation
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and "Redis 中的新标题" in response.content.decode()


def test_with_redis_a_process_trusts_the_generation_it_read_for_a_moment(
    reader, site_tree, redis_pages, settings, django_assert_num_queries
):
    """A busy process reads the generation from Redis about once a second, not per request:
    another process's publication reaches it within PAGE_CACHE_GENERATION_SECONDS, its own
    at once."""
    settings.PAGE_CACHE_GENERATION_SECONDS = 60
    cached(reader, "/", django_assert_num_queries)
    # Another process publishes: it changes the generation in Redis.
    redis_pages.set(GENERATION_KEY, "changed-by-another-process", None)
    _response, was_rendered = rendered(reader, "/")
    assert not was_rendered
    settings.PAGE_CACHE_GENERATION_SECONDS = 0
    _response, was_rendered = rendered(reader, "/")
    assert was_rendered

    settings.PAGE_CACHE_GENERATION_SECONDS = 60
    cached(reader, "/", django_assert_num_queries)
    home = site_tree["home"]
    home.title = "本进程发布的标题"
    home.save_revision().publish()
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and "本进程发布的标题" in response.content.decode()


def test_the_cache_can_be_turned_off(reader, site_tree, settings):
    settings.PAGE_CACHE_SECONDS = 0
    reader.get("/")
    response, was_rendered = rendered(reader, "/")
    assert was_rendered and response["Cache-Control"] == PRIVATE


def test_the_sitemap_keeps_its_own_date(reader, site_tree, settings):
    kept = reader.get("/sitemap.xml")
    assert kept["Cache-Control"] == PUBLIC
    settings.PAGE_CACHE_SECONDS = 0
    assert Client().get("/sitemap.xml")["Last-Modified"] == kept["Last-Modified"]
