from wagtail.models import PageViewRestriction

import pytest

from .conftest import found_urls, run_queued_tasks

pytestmark = pytest.mark.django_db


def search(client, query, path="/search/", **params):
    response = client.get(path, {"q": query, **params})
    assert response.status_code == 200
    return response


@pytest.fixture
def pages(add_page):
    return {
        "gangs": add_page("认识黑恶势力", "<p>恶势力常用软暴力手段欺行霸市。</p>"),
        "loans": add_page("套路贷的识别", "<p>借款合同里的陷阱。</p>"),
        "campaign": add_page("专项斗争回顾", "<p>全国开展扫黑除恶专项斗争三年。</p>"),
        "sweep": add_page("扫黑工作动态", "<p>各地扫黑工作的进展，除了恶劣天气外照常进行。</p>"),
    }


def test_a_two_character_word_is_found_and_highlighted(client, pages):
    response = search(client, "举报")
    # The demo home page asks people to report; no article mentions it.
    assert found_urls(response) == ["/"]
    html = response.content.decode()
    assert "<mark>举报</mark>" in html


def test_a_one_character_query_finds_words_containing_it(client, pages):
    urls = found_urls(search(client, "黑"))
    assert pages["gangs"].url in urls
    assert pages["campaign"].url in urls
    assert pages["loans"].url not in urls


def test_a_four_character_term_is_found_as_a_word(client, pages):
    response = search(client, "扫黑除恶")
    # "扫黑" and "除" and "恶" on one page are not the campaign's name.
    assert found_urls(response) == [pages["campaign"].url]
    assert "<mark>扫黑除恶</mark>" in response.content.decode()


def test_a_shorter_word_inside_a_longer_term_is_found(client, add_page):
    page = add_page("法律条文", "<p>《反有组织犯罪法》自2022年起施行。</p>")
    assert page.url in found_urls(search(client, "有组织犯罪"))


def test_an_english_query_finds_english_pages_only(client, site_tree, pages, add_page):
    english = add_page(
        "How to report a clue", "<p>Anyone can report.</p>", parent=site_tree["en_home"]
    )
    response = search(client, "REPORT", path="/en/search/")
    urls = found_urls(response)
    assert set(urls) == {"/en/", english.url}
    assert "<mark>report</mark>" in response.content.decode()
    # Chinese pages never answer on the English page, nor English ones on the Chinese page.
    assert found_urls(search(client, "软暴力", path="/en/search/")) == []
    assert found_urls(search(client, "report")) == []


def test_a_title_match_ranks_above_a_single_body_match(client, add_page):
    body_only = add_page(
        "其他事项", "<p>" + "介绍有关的法律规定和办理程序。" * 3 + "警惕套路贷。</p>"
    )
    in_title = add_page("套路贷的识别", "<p>介绍借款合同里的常见陷阱。</p>")
    assert found_urls(search(client, "套路贷")) == [in_title.url, body_only.url]


def test_results_are_escaped_and_only_matches_are_marked(client, add_page):
    add_page("举报<script>alert(1)</script>", "<p>线索 &lt;b&gt;要点&lt;/b&gt;</p>")
    html = search(client, "线索").content.decode()
    assert "<script>alert" not in html
    assert "举报&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>线索</mark> &lt;b&gt;要点&lt;/b&gt;" in html


def test_no_results_says_so(client, pages):
    response = search(client, "不存在的词")
    assert found_urls(response) == []
    assert "No pages match" in response.content.decode() or "没有" in response.content.decode()
    assert response.context["terms"]


def test_an_empty_query_searches_nothing(client, pages, django_assert_max_num_queries):
    for query in ["", "   ", "\x01\t"]:
        response = search(client, query)
        assert response.context["page_obj"] is None
        assert response.context["query"] == ""


def test_punctuation_only_has_nothing_to_search(client, pages):
    # Full-width punctuation is shown in its NFKC form, as the search reads it.
    for query, shown in [("%", "%"), ("！？。", "!?。"), ("'\"*()", "'\"*()"), ("--;", "--;")]:
        response = search(client, query)
        assert response.context["query"] == shown
        assert response.context["terms"] == []
        assert response.context["page_obj"] is None


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1; DROP TABLE wagtailcore_page; --",
        '"举报" OR "线索"',
        "举报 AND NOT 线索",
        "NEAR(举报 线索)",
        "title:举报",
        "举报*",
        "举报%",
        "\\举报\\",
        "举\x01报\x1b",
        "<script>",
    ],
)
def test_odd_queries_are_harmless(client, pages, query):
    response = search(client, query)
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_control_characters_are_removed(client, pages):
    response = search(client, "\x01举报\x07")
    assert response.context["query"] == "举报"
    assert found_urls(response) == ["/"]


def test_a_nul_is_refused_before_the_search(client, pages):
    """PostgreSQL refuses a NUL in a query; none is in a link a person made
    (portal.middleware)."""
    for params in ({"q": "\x00举报"}, {"q": "举报", "page": "\x00"}):
        assert client.get("/search/", params).status_code == 400


def test_a_long_query_is_cut_and_the_reader_told(client, pages):
    response = search(client, "套路贷" + "啊" * 200)
    assert response.context["shortened"]
    assert len(response.context["query"]) == 100
    response = search(client, "套路贷")
    assert not response.context["shortened"]


def test_results_come_in_pages_and_bad_page_numbers_give_the_first(client, add_page):
    for number in range(12):
        add_page(f"案卷第{number}号", index=False)
    add_page("最后一页", index=True)  # indexes all that was queued
    first = search(client, "案卷")
    assert len(first.context["results"]) == 10
    assert first.context["page_obj"].paginator.count == 12
    second = search(client, "案卷", page="2")
    assert len(second.context["results"]) == 2
    assert 'rel="prev"' in second.content.decode()
    assert not set(found_urls(first)) & set(found_urls(second))
    for bad in ["0", "-1", "3", "999999999999999999999", "abc", "1.5", "", "\x01"]:
        assert search(client, "案卷", page=bad).context["page_obj"].number == 1


def test_drafts_unpublished_and_private_pages_are_never_found(client, site_tree, add_page):
    add_page("未发布的草稿：保护伞", publish=False)
    withdrawn = add_page("已撤回：保护伞")
    withdrawn.unpublish()
    private = add_page("内部：保护伞")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    live = add_page("公开页面", "<p>保持原样。</p>")
    live.title = "公开页面：保护伞"
    live.save_revision()  # a draft change of a live page is not public either
    assert found_urls(search(client, "保护伞")) == []


@pytest.mark.parametrize("count, queries", [(1, 1), (10, 1), (11, 2), (14, 2)])
def test_the_page_costs_the_same_queries_for_any_number_of_results(
    client, add_page, count, queries, django_assert_num_queries, render_every_time
):
    """The search itself, and the count only when the first page of results is full: the
    site, its restrictions, the menu, the footer and each result's card are kept until the
    content changes."""
    for number in range(count):
        add_page(f"案例{number}", "<p>典型案例的特征。</p>", index=False)
    add_page("索引", index=True)
    # The first request creates the site's settings row, a change that drops what was built
    # before it; the second builds that again: from the third on, only what a search costs.
    search(client, "案例")
    search(client, "案例")
    with django_assert_num_queries(queries):
        response = search(client, "案例")
    assert len(response.context["results"]) == min(count, 10)
    assert response.context["page_obj"].paginator.count == count


def test_cards_not_kept_cost_one_query_per_page_type_and_follow_every_change(
    client, add_page, django_assert_num_queries, render_every_time
):
    page = add_page("黑恶势力案例", "<p>恶势力的特征。</p>")
    search(client, "恶势力")
    search(client, "恶势力")  # warmed twice, as above
    with django_assert_num_queries(1):
        search(client, "特征")  # a new query: its result's card was kept by the one before
    page.title = "恶势力案例汇编"
    page.save_revision().publish()
    run_queued_tasks()
    search(client, "恶势力")  # the publication's first reader rebuilds the site's parts
    response = search(client, "汇编")
    assert [result["title"] for result in response.context["results"]] == [
        "恶势力案例<mark>汇编</mark>"
    ]
    assert found_urls(response) == [page.get_url()]
