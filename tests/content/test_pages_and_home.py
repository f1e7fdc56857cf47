"""Standard pages (guide with its FAQ, privacy notice, about) and the home page's features:
the law, featured stories, latest news and the report form's QR code."""

import re

import pytest

import content.demo_pages
import content.demo_stories
import law.demo
from content.models import HomePage, StandardPage
from tests.posters.conftest import decode, rasterise_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(site_tree):
    law.demo.load()
    content.demo_stories.load()
    pages = content.demo_pages.load()
    content.demo_pages.feature_on_home()
    return pages


def test_the_guide_answers_questions_in_both_languages(client, demo):
    html = client.get(demo["guide"].url).content.decode()
    assert "<details><summary>可以匿名举报吗？</summary>" in html
    english = StandardPage.objects.get(slug="guide", locale__language_code="en")
    assert "Can I report anonymously?" in client.get(english.url).content.decode()


def test_the_privacy_notice_says_addresses_are_never_kept(client, demo):
    html = client.get(demo["privacy"].url).content.decode()
    assert "IP 地址" in html and "从不保存" in html


def test_the_home_page_features_the_law_stories_news_and_a_report_code(client, demo):
    home = HomePage.objects.get(locale__language_code="zh-hans")
    html = client.get(home.url).content.decode()
    assert "中华人民共和国反有组织犯罪法" in html
    assert "（虚构故事）工地上的举报信" in html
    assert "（示例）一起强收“管理费”案件通报" in html
    svg = re.search(r'class="call-to-report__qr".*?(<svg.*?</svg>)', html, re.S).group(1)
    assert decode_svg(svg) == ["https://portal.example.test/report/"]


def test_the_english_home_features_english_pages(client, demo):
    home = HomePage.objects.get(locale__language_code="en")
    html = client.get(home.url).content.decode()
    assert "Anti-Organized Crime Law of the PRC" in html
    assert "(Fictional) A letter from the building site" in html
    svg = re.search(r'class="call-to-report__qr".*?(<svg.*?</svg>)', html, re.S).group(1)
    assert decode_svg(svg) == ["https://portal.example.test/en/report/"]


@pytest.mark.usefixtures("render_every_time")
def test_the_home_page_query_count_is_fixed(client, demo, django_assert_max_num_queries):
    client.get("/")
    with django_assert_max_num_queries(25):
        client.get("/")


def decode_svg(svg):
    return decode(rasterise_svg(svg))


def test_the_home_page_keeps_the_editors_order_and_hides_a_private_law(client, demo):
    from wagtail.models import PageViewRestriction

    from content.models import HomeFeaturedStory, StoryPage
    from law.models import LawPage

    home = HomePage.objects.get(locale__language_code="zh-hans")
    stories = list(StoryPage.objects.filter(locale=home.locale).order_by("date"))
    home.featured_stories = [HomeFeaturedStory(story=story) for story in stories]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    positions = [html.index(story.title) for story in stories]
    assert positions == sorted(positions)
    assert 'class="home-law"' in html
    the_law = LawPage.objects.get(locale=home.locale)
    PageViewRestriction.objects.create(page=the_law, restriction_type="password", password="x")
    assert 'class="home-law"' not in client.get("/").content.decode()
