"""What a render costs (the page cache turned off): the queries of a hero story and of a law
article do not grow with what they show. The home page, listings, the full law and the search
page have their own tests (test_query_budget, content, law, search)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

import content.demo_stories
from content.demo_stories import _portrait
from content.models import StoryIndexPage, StoryPage
from law.models import LawArticle, LawChapter, LawPage
from portal.pagecache.invalidation import invalidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("render_every_time")]


def queries_of(client, url):
    """The queries of a render just after the content changed (nothing kept: the route, the
    restrictions, the text are read again), and of the next one (what is kept is used)."""
    # The site's root paths and renditions are made once, and the parts kept until the
    # content changes (the menu, the site); the first render may also create the settings
    # row, and making a rendition saves its image: both are such changes. The steady cost is
    # the third visit's.
    client.get(url)
    client.get(url)
    counts = []
    for after_a_change in (True, False):
        if after_a_change:
            invalidate()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    return tuple(counts)


def test_a_story_costs_the_same_queries_with_one_picture_or_twelve(client, site_tree):
    content.demo_stories.load()
    stories = StoryIndexPage.objects.get(locale__language_code="zh-hans")
    images = [_portrait(f"gallery-{number}", (number * 20, 0, 0)) for number in range(12)]
    counts = []
    for shown in (1, 12):
        story = StoryPage(
            title=f"图集{shown}",
            slug=f"gallery-{shown}",
            person="某",
            date=date(2026, 1, 1),
            portrait=images[0],
            portrait_alt="剪影",
            body=[
                (
                    "gallery",
                    {"images": [{"image": image, "alt": "剪影"} for image in images[:shown]]},
                )
            ],
        )
        stories.add_child(instance=story)
        story.save_revision().publish()
        story.tags.add("测试")
        counts.append(queries_of(client, story.url))
    assert counts[0] == counts[1], counts


def test_a_law_article_costs_the_same_queries_however_long_the_law(client, site_tree):
    home = site_tree["home"]
    counts = []
    for articles in (5, 120):
        page = LawPage(title=f"测试法{articles}", slug=f"test-law-{articles}")
        page.chapters = [LawChapter(number=1, title="总则")]
        page.articles = [
            LawArticle(number=n, chapter_number=1, text=f"条文{n}，参见第一条。")
            for n in range(1, articles + 1)
        ]
        home.add_child(instance=page)
        page.save_revision().publish()
        counts.append(queries_of(client, f"{page.url}article-3/"))
    assert counts[0] == counts[1], counts
