"""Every public page type can be created by an editor through the admin, sits where it
belongs in the tree, and can be previewed before it is published."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import content.demo
import content.demo_pages
import content.demo_stories
import law.demo
from content.models import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)
from law.models import LawPage
from tests.conftest import StaffClient


class PageTypesInTheAdmin(WagtailPageTestCase):
    client_class = StaffClient

    def setUp(self):
        site = content.demo.load()
        self.home = site.root_page.specific
        law.demo.load()
        self.stories, self.news = content.demo_stories.load()
        self.pages = content.demo_pages.load()
        self.client.force_login(self.create_test_user())

    def test_the_tree_rules(self):
        self.assertAllowedParentPageTypes(StoryPage, {StoryIndexPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedParentPageTypes(LawPage, {HomePage})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StoryIndexPage, {StoryPage})
        self.assertAllowedSubpageTypes(LawPage, set())

    def test_an_editor_creates_each_index_news_and_standard_page(self):
        self.assertCanCreate(
            self.home, StoryIndexPage, nested_form_data({"title": "故事", "slug": "s2"})
        )
        self.assertCanCreate(
            self.home, NewsIndexPage, nested_form_data({"title": "动态", "slug": "n2"})
        )
        self.assertCanCreate(
            self.news,
            NewsPage,
            nested_form_data(
                {
                    "title": "（示例）新闻",
                    "slug": "new-item",
                    "date": "2026-11-01",
                    "kind": "law",
                    "summary": "摘要",
                    "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
                }
            ),
        )
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "常见问题",
                    "slug": "faq",
                    "intro": "",
                    "body": streamfield(
                        [
                            (
                                "faq",
                                {
                                    "heading": "常见问题",
                                    "questions": streamfield(
                                        [
                                            (
                                                "item",
                                                {
                                                    "question": "可以匿名吗？",
                                                    "answer": rich_text("<p>可以。</p>"),
                                                },
                                            )
                                        ]
                                    ),
                                },
                            )
                        ]
                    ),
                }
            ),
        )

    def test_every_page_type_can_be_previewed(self):
        # StreamField editors are drawn by JavaScript, so their pages get explicit form data.
        body = streamfield([("paragraph", rich_text("<p>预览正文</p>"))])
        story = StoryPage.objects.child_of(self.stories).first()
        item = NewsPage.objects.child_of(self.news).first()
        the_law = LawPage.objects.filter(locale=self.home.locale).first()
        for page in (self.home, self.stories, self.news, the_law):
            self.assertPageIsPreviewable(page)
        self.assertPageIsPreviewable(
            story,
            post_data=nested_form_data(
                {
                    "title": "预览",
                    "slug": story.slug,
                    "person": "某",
                    "date": "2026-01-01",
                    "body": body,
                    "tags": "",
                }
            ),
        )
        self.assertPageIsPreviewable(
            item,
            post_data=nested_form_data(
                {
                    "title": "预览",
                    "slug": item.slug,
                    "date": "2026-01-01",
                    "kind": "case",
                    "summary": "摘要",
                    "body": body,
                }
            ),
        )
        self.assertPageIsPreviewable(
            self.pages["guide"],
            post_data=nested_form_data({"title": "预览", "slug": "guide", "body": body}),
        )

    def test_a_home_page_can_feature_stories_in_the_admin(self):
        story = StoryPage.objects.child_of(self.stories).first()
        self.assertCanCreate(
            Page.get_first_root_node(),
            HomePage,
            nested_form_data(
                {
                    "title": "另一个首页",
                    "slug": "other-home",
                    "lead": "",
                    "body": rich_text(""),
                    "featured_stories": inline_formset([{"story": story.pk}]),
                }
            ),
        )
