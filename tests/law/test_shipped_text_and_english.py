"""The official text shipped with the demo, and the law in English: labels, chapter titles and
citations in the reader's language, the article number as an article page's main heading."""

import csv
import re
from io import StringIO

from django.core.management import call_command
from django.utils import translation

import pytest

import law.demo
from law.citations import citation, law_citation
from law.models import LawPage
from law.parser import parse
from law.structure import heading, label

OFFICIAL = law.demo.OFFICIAL_TEXT


def test_the_shipped_text_parses_into_77_articles_none_empty():
    text = parse(OFFICIAL.read_text(encoding="utf-8"))
    articles = text.articles()
    assert [article.number for article in articles] == list(range(1, 78))
    assert all(article.paragraphs and article.paragraphs[0].text for article in articles)
    assert len(text.chapters) == 9


def test_the_english_headings_file_names_every_chapter_of_the_shipped_text():
    text = parse(OFFICIAL.read_text(encoding="utf-8"))
    with law.demo.HEADINGS_EN.open(encoding="utf-8") as rows:
        headings = {int(row["chapter"]): row for row in csv.DictReader(rows)}
    assert sorted(headings) == [chapter.number for chapter in text.chapters]
    for chapter in text.chapters:
        assert headings[chapter.number]["title_zh"] == chapter.title
        assert headings[chapter.number]["title_en"].isascii()


@pytest.mark.django_db
def test_import_law_on_the_shipped_file_fills_every_article(site_tree):
    call_command("import_law", str(OFFICIAL), "--publish", stdout=StringIO())
    page = LawPage.objects.get(locale__language_code="zh-hans")
    assert page.articles.count() == 77
    assert not page.articles.filter(text="").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            ["第二十二条", "第五十条第一款", "第五十条第一款第（三）项", "第八条第（二）项"],
        ),
        ("en", ["Article 22", "Article 50(1)", "Article 50(1)(3)", "Article 8(1)(2)"]),
    ],
)
def test_citations_are_in_the_readers_language(language, expected):
    with translation.override(language):
        assert [citation(22), citation(50, 1), citation(50, 1, 3), citation(8, None, 2)] == (
            expected
        )


def test_labels_and_law_citations_are_in_the_readers_language():
    with translation.override("en"):
        assert label("条", 22) == "Article 22"
        assert heading(label("章", 1), "General Provisions") == "Chapter 1 General Provisions"
        assert label("节", 2) == "Section 2"
        assert law_citation("Anti-Organized Crime Law", citation(22)) == (
            "Anti-Organized Crime Law, Article 22"
        )
    with translation.override("zh-hans"):
        assert heading(label("章", 1), "总则") == "第一章　总则"
        assert law_citation("反有组织犯罪法", citation(22)) == "《反有组织犯罪法》第二十二条"


@pytest.mark.django_db
class TestTheDemoLaw:
    @pytest.fixture
    def pages(self, site_tree):
        chinese = law.demo.load()
        return chinese, LawPage.objects.get(locale__language_code="en")

    def test_every_article_page_has_its_text_in_both_languages(self, client, pages):
        for page in pages:
            assert page.articles.count() == 77
            for number in range(1, 78):
                html = client.get(f"{page.url}article-{number}/").content.decode()
                assert 'class="law-article__missing"' not in html, (page.url, number)
                assert 'class="law-paragraph"' in html, (page.url, number)

    def test_the_article_number_is_the_main_heading(self, client, pages):
        chinese, english = pages
        for page, number in ((chinese, "第二十二条"), (english, "Article 22")):
            html = client.get(f"{page.url}article-22/").content.decode()
            headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
            assert len(headings) == 1
            assert re.sub(r"<[^>]+>", "", headings[0]).strip() == number
            assert "visually-hidden" not in headings[0]

    def test_the_english_article_page_is_labelled_in_english(self, client, pages):
        _chinese, english = pages
        html = client.get(f"{english.url}article-50/").content.decode()
        assert "<title>Anti-Organized Crime Law, Article 50" in html
        assert 'data-copy="Anti-Organized Crime Law, Article 50"' in html
        assert "Article 50(1)(3)" in html and "Article 50(2)" in html
        assert "Chapter 5 Handling of State Functionaries Involved in Organized Crime" in html
        assert "第五十条" not in html and "第五章" not in html

    def test_the_chinese_article_page_cites_the_chinese_way(self, client, pages):
        chinese, _english = pages
        html = client.get(f"{chinese.url}article-50/").content.decode()
        assert "<title>《反有组织犯罪法》第五十条" in html
        assert "第五十条第一款第（三）项" in html
        assert "第五章　国家工作人员涉有组织犯罪的处理" in html
        assert "Article" not in html
        law_html = client.get(chinese.url).content.decode()
        assert "（2021年12月24日第十三届全国人民代表大会常务委员会第三十二次会议通过）" in law_html

    def test_the_english_law_page_has_english_chapters(self, client, pages):
        _chinese, english = pages
        html = client.get(english.url).content.decode()
        for title in ("Chapter 1 General Provisions", "Chapter 9 Supplementary Provisions"):
            assert title in html
        assert "第一章" not in html and "第一条" not in html
        assert "(Adopted on 24 December 2021)" in html and "（Adopted" not in html

    def test_loading_again_changes_nothing(self, pages):
        chinese, english = pages
        revisions = (chinese.revisions.count(), english.revisions.count())
        law.demo.load()
        assert (chinese.revisions.count(), english.revisions.count()) == revisions
