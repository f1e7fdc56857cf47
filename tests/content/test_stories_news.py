"""Hero stories and news: created in the admin, listed with filters and pages, fed as RSS
and Atom, in both languages, in a number of queries that does not grow with the list."""

from datetime import date
from xml.etree import ElementTree

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

import content.demo_stories
from content.models import NewsIndexPage, NewsPage, StoryIndexPage, StoryPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(site_tree):
    return content.demo_stories.load()


def test_an_editor_writes_a_story_with_a_quote(admin_client, demo):
    stories, _news = demo
    url = reverse("wagtailadmin_pages:add", args=["content", "storypage", stories.pk])
    data = nested_form_data(
        {
            "title": "（虚构）夜市里的摊主",
            "slug": "night-market",
            "person": "（虚构）陈某",
            "date": "2026-01-02",
            "region": "唐山市",
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>他把收条都留了下来。</p>")),
                    ("quote", {"text": "我相信法律。", "attribution": "陈某"}),
                ]
            ),
            "tags": "夜市",
            "action-publish": "publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = StoryPage.objects.get(slug="night-market")
    html = admin_client.get(page.url).content.decode()
    assert "我相信法律。" in html and "他把收条都留了下来。" in html


def test_a_portrait_needs_a_text_alternative(demo):
    from django.core.exceptions import ValidationError

    story = StoryPage.objects.filter(locale__language_code="zh-hans").first()
    story.portrait_alt = ""
    with pytest.raises(ValidationError):
        story.full_clean()


def test_a_story_shows_its_portrait_in_responsive_sizes_with_its_alt(client, demo):
    story = StoryPage.objects.get(slug="market-vendor", locale__language_code="zh-hans")
    html = client.get(story.url).content.decode()
    assert f'alt="{story.portrait_alt}"' in html
    assert "srcset=" in html and ".webp" in html
    assert "我只是把收条都留着" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"market-vendor", "construction-site", "campus-loans"}),
        ("?tag=市场", {"market-vendor"}),
        ("?region=河北省", {"construction-site"}),
        ("?year=2025", {"construction-site", "campus-loans"}),
        ("?year=abc", {"market-vendor", "construction-site", "campus-loans"}),
        ("?year=0", {"market-vendor", "construction-site", "campus-loans"}),
        ("?year=99999", {"market-vendor", "construction-site", "campus-loans"}),
        ("?year=²", {"market-vendor", "construction-site", "campus-loans"}),
        ("?tag=没有这个标签", set()),
        ("?page=999&tag=市场", {"market-vendor"}),  # past the end: the last page
        ("?page=-1", {"market-vendor", "construction-site", "campus-loans"}),
    ],
)
def test_story_filters(client, demo, query, expected):
    stories, _news = demo
    html = client.get(stories.url + query).content.decode()
    shown = {
        slug
        for slug in ("market-vendor", "construction-site", "campus-loans")
        if f"/stories/{slug}/" in html
    }
    assert shown == expected
    if not expected:
        assert "没有符合这些条件的故事" in html


@pytest.mark.usefixtures("render_every_time")
def test_listings_take_the_same_queries_for_three_or_thirty_items(client, demo):
    stories, news = demo
    portrait = StoryPage.objects.exclude(portrait=None).first().portrait
    counts = []
    for _round in range(2):
        # Twice: the first render may create the settings row, which changes the content's
        # generation and so the parts kept until it does (the menu, the site).
        for url in (stories.url, news.url, stories.url, news.url):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(stories.url)
            client.get(news.url)
        counts.append(len(captured))
        if _round:
            break
        for number in range(12):
            story = StoryPage(
                title=f"故事{number}",
                slug=f"extra-{number}",
                person="某",
                date=date(2026, 1, 1),
                portrait=portrait,
                portrait_alt="剪影",
            )
            stories.add_child(instance=story)
            story.save_revision().publish()
            item = NewsPage(
                title=f"新闻{number}",
                slug=f"extra-{number}",
                summary="摘要",
                date=date(2026, 1, 1),
            )
            news.add_child(instance=item)
            item.save_revision().publish()
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_are_valid_and_point_at_the_configured_origin(client, demo, kind):
    _stories, news = demo
    response = client.get(f"{news.url}feed/{kind}/", HTTP_HOST="localhost")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own feed)
    text = response.content.decode()
    assert "https://portal.example.test/news/case-bulletin/" in text
    assert "localhost" not in text
    assert root.tag in ("rss", "{http://www.w3.org/2005/Atom}feed")


def test_news_can_be_filtered_by_kind_and_bad_kinds_show_everything(client, demo):
    _stories, news = demo
    cases = client.get(news.url + "?kind=case").content.decode()
    assert "case-bulletin" in cases and "law-week" not in cases
    everything = client.get(news.url + "?kind=%3Cscript%3E").content.decode()
    assert "case-bulletin" in everything and "law-week" in everything


def test_the_english_tree_has_the_translations(client, demo):
    english = StoryIndexPage.objects.get(locale__language_code="en")
    html = client.get(english.url).content.decode()
    assert "(Fictional) Li Xiulan" in html
    assert NewsIndexPage.objects.filter(locale__language_code="en").exists()
    assert StoryPage.objects.filter(locale__language_code="en").count() == 3
