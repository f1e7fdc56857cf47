"""The law page: structure, anchors and permalinks, citations, cross-reference links, the
print view, both languages, and a fixed number of queries however long the law is."""

import pytest

import law.demo
from law.models import LawArticle, LawPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def law_page(site_tree):
    return law.demo.load()


def test_the_law_shows_its_structure_with_an_anchor_for_every_article(client, law_page):
    html = client.get(law_page.url).content.decode()
    assert "中华人民共和国反有组织犯罪法" in html
    assert "第一章　总则" in html and "第九章　附则" in html
    for number in (1, 50, 77):
        assert f'id="article-{number}"' in html
    assert html.count('class="law-article"') == 77
    assert "第五十条" in html and "第七十七条" in html
    assert "本页收录该法全文" in html  # the banner says what the text is
    assert "本站尚未收录该条条文" not in html


def test_mentions_of_the_laws_own_articles_link_to_them(client, law_page):
    html = client.get(law_page.url).content.decode()
    assert '<a href="#article-50">本法第五十条</a>' in html
    assert '<a href="#article-52">第五十二条</a>' in html  # listed after 本法第五十条


def test_every_article_has_its_own_page_with_citations(client, law_page):
    response = client.get(f"{law_page.url}article-50/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "第五十条第一款第（三）项" in html
    assert "第五十条第二款" in html
    assert 'data-copy="《反有组织犯罪法》第五十条"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert client.get(f"{law_page.url}article-78/").status_code == 404
    assert client.get(f"{law_page.url}article-0/").status_code == 404


def test_the_print_view_has_the_whole_text_without_the_site_around_it(client, law_page):
    html = client.get(f"{law_page.url}print/").content.decode()
    assert html.count('class="law-article"') == 77
    assert "site-header" not in html
    assert 'name="robots" content="noindex"' in html


def test_the_english_law_is_a_translation_and_the_switch_goes_to_it(client, law_page):
    english = LawPage.objects.get(locale__language_code="en")
    assert english.translation_key == law_page.translation_key
    html = client.get(law_page.url).content.decode()
    assert f'href="{english.url}"' in html
    english_html = client.get(english.url).content.decode()
    assert "Chapter 1 General Provisions" in english_html
    # The official text is Chinese, and says so to the browser and screen readers.
    assert '<span lang="zh-Hans">为了预防和惩治有组织犯罪' in english_html


@pytest.mark.usefixtures("render_every_time")
def test_the_law_renders_in_the_same_number_of_queries_however_long(
    client, site_tree, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from content.models import HomePage
    from law.models import LawChapter

    home = HomePage.objects.get(locale__language_code="zh-hans")
    counts = []
    for articles in (5, 120):
        page = LawPage(title=f"测试法{articles}", slug=f"test-law-{articles}")
        page.chapters = [LawChapter(number=1, title="总则")]
        page.articles = [
            LawArticle(number=n, chapter_number=1, text=f"条文{n}，参见第一条。\n（一）一项")
            for n in range(1, articles + 1)
        ]
        home.add_child(instance=page)
        page.save_revision().publish()
        # Twice: the first render may create the settings row, which changes the content's
        # generation and so the parts kept until it does (the menu, the site).
        client.get(page.url)
        client.get(page.url)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(page.url).content.decode()
        assert html.count('class="law-article"') == articles
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(17):
        client.get(page.url)


def test_the_law_is_in_the_main_menu_and_an_article_switches_language_to_its_twin(
    client, law_page
):
    home = client.get("/").content.decode()
    assert f'<a href="{law_page.url}">反有组织犯罪法</a>' in home  # the short title fits a phone
    english = LawPage.objects.get(locale__language_code="en")
    article = client.get(f"{law_page.url}article-50/").content.decode()
    assert f'href="{english.url}article-50/"' in article


@pytest.mark.parametrize(
    "line", ["（零）零项", "（一十）怪数", "（二〇二一）年份", "(abc) 不是项"]
)
def test_an_odd_item_line_is_shown_as_a_paragraph_not_a_crash(client, law_page, line):
    article = law_page.articles.get(number=1)
    article.text = f"第一款。\n{line}"
    article.save()
    html = client.get(law_page.url).content.decode()
    assert line.split("）")[-1].split(")")[-1].strip() in html


def test_numbers_out_of_range_are_refused_by_the_editor_form(law_page):
    from django.core.exceptions import ValidationError

    for bad in (0, 10000):
        article = LawArticle(page=law_page, number=bad, chapter_number=1)
        with pytest.raises(ValidationError):
            article.full_clean()
