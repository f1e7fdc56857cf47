"""What a reader of the English pages and an editor noticed: regions and topics in English,
套路贷 never "Routine loans", one date format per language, the news body labelled 正文, a
news item's summary printed once, and readable ASCII page addresses."""

import re

from django.urls import reverse
from django.utils import timezone, translation

from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

import content.demo_pages
import content.demo_stories
from content.models import NewsPage, StoryPage
from reporting.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(site_tree):
    return content.demo_stories.load()


def english(page):
    return page.get_translation(page.locale.__class__.objects.get(language_code="en")).specific


def test_english_stories_name_regions_and_topics_in_english(client, demo):
    story = StoryPage.objects.get(slug="campus-loans", locale__language_code="zh-hans")
    html = client.get(english(story).url).content.decode()
    assert "Tangshan" in html and "唐山" not in html
    assert "Campus" in html and "校园" not in html
    assert "&#x27;Routine loan&#x27; fraud" in html and "套路贷" not in html
    listing = client.get(english(demo[0]).url).content.decode()
    assert "Hebei" in listing and "河北" not in listing
    assert "Protection money" in listing and "保护费" not in listing


def test_the_chinese_stories_keep_their_chinese_regions_and_topics(client, demo):
    story = StoryPage.objects.get(slug="campus-loans", locale__language_code="zh-hans")
    html = client.get(story.url).content.decode()
    assert "唐山市" in html and "套路贷" in html and "Routine" not in html


def test_routine_loans_is_never_the_english_for_taolu_dai(client, demo):
    category = Category.objects.get(slug="routine-loans")
    assert category.name_en.startswith("'Routine loan' fraud")
    pages = [page.specific for page in Page.objects.filter(locale__language_code="en")]
    content.demo_pages.load()
    pages += [page.specific for page in Page.objects.filter(locale__language_code="en")]
    for page in pages:
        html = client.get(page.url).content.decode() if page.url else ""
        assert "Routine loans" not in html and "predatory loan" not in html, page.url


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2025年5月1日"), ("en", "1 May 2025")]
)
def test_one_date_format_per_language(client, demo, language, expected):
    item = NewsPage.objects.get(slug="law-week", locale__language_code="zh-hans")
    page = item if language == "zh-hans" else english(item)
    html = client.get(page.url).content.decode()
    assert f'<time datetime="2025-05-01">{expected}</time>' in html
    listing = client.get(page.get_parent().url).content.decode()
    assert f'<time datetime="2025-05-01">{expected}</time>' in listing
    with translation.override(language):
        from django.utils.formats import date_format

        assert date_format(item.date) == expected


def test_the_news_body_is_labelled_body_not_the_text_of_a_law():
    with translation.override("zh-hans"):
        assert str(NewsPage._meta.get_field("body").verbose_name) == "正文"


def test_a_demo_news_item_prints_its_summary_once(client, demo):
    for item in NewsPage.objects.all():
        html = client.get(item.url).content.decode()
        assert html.count(item.summary) == 1, item.url


def test_demo_pages_have_short_ascii_slugs(demo):
    content.demo_pages.load()
    for page in Page.objects.filter(depth__gt=1):
        assert re.fullmatch(r"[a-z0-9-]{1,40}", page.slug), page.slug


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("（示例）宣传周活动", "news-{date}"),
        ("2025 Law Week 宣传周", "2025-law-week"),
    ],
)
def test_a_new_chinese_titled_page_gets_a_readable_ascii_slug(admin_client, demo, title, expected):
    _stories, news = demo
    url = reverse("wagtailadmin_pages:add", args=["content", "newspage", news.pk])
    data = nested_form_data(
        {
            "title": title,
            "slug": "",
            "date": "2026-11-01",
            "kind": "law",
            "summary": "摘要",
            "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = NewsPage.objects.get(title=title)
    assert page.slug == expected.format(date=f"{timezone.localdate():%Y%m%d}")
    # A second page with the same title is numbered, not refused.
    admin_client.post(url, data)
    assert NewsPage.objects.filter(slug=f"{page.slug}-2").exists()


def test_an_editor_may_still_choose_the_slug(admin_client, demo):
    _stories, news = demo
    url = reverse("wagtailadmin_pages:add", args=["content", "newspage", news.pk])
    data = nested_form_data(
        {
            "title": "宣传周",
            "slug": "law-week-2026",
            "date": "2026-11-01",
            "kind": "law",
            "summary": "摘要",
            "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
        }
    )
    assert admin_client.post(url, data).status_code == 302
    assert NewsPage.objects.filter(slug="law-week-2026").exists()
    data["slug"] = "宣传周"
    assert admin_client.post(url, data).status_code == 200  # refused: not ASCII
