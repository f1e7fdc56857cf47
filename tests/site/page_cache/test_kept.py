"""What the page cache keeps besides whole pages (the parts and routes of pages, in this
process or in Redis), what it never stores, and pages shared between processes through Redis
(portal/pagecache/)."""

import os

from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import (
    nested_form_data,
    rich_text,
    streamfield,
)

import pytest

import content.demo_stories
import law.demo
from content.models import StandardPage
from law.models import LawArticle, LawPage
from portal.pagecache.generation import GENERATION_KEY, release
from tests.conftest import empty
from tests.site.page_cache.helpers import PRIVATE, PUBLIC, cached, menu_page, rendered

pytestmark = pytest.mark.django_db


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


def test_poster_codes_and_other_parameters_are_not_kept(reader, site_tree):
    # A search is kept under its canonical query instead (tests/search/test_search_cache.py).
    for url in ("/?entry=TSMKT2", "/?utm_source=x", "/search/?q=%E6%B3%95&entry=TSMKT2"):
        first = reader.get(url)
        assert first.status_code == 200 and first["Cache-Control"] == PRIVATE
        _response, was_rendered = rendered(reader, url)
        assert was_rendered, url
    # The search page itself, and the site's own listing parameters, are kept.
    for url in ("/search/", "/?page=2", "/search/?q=%E6%B3%95"):
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
