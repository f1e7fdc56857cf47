"""The notice page types sit where they belong, an editor creates them in the admin, and each
can be previewed, the withdrawn notice included (a preview is never answered 410)."""

from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data

import content.demo
import fugitives.demo
import law.demo
from content.models import HomePage
from fugitives.models import NoticeIndexPage, NoticePage
from tests.conftest import StaffClient

from .forms import notice_form


class NoticePageTypes(WagtailPageTestCase):
    client_class = StaffClient

    def setUp(self):
        site = content.demo.load()
        self.home = site.root_page.specific
        law.demo.load()
        self.index = fugitives.demo.load()
        self.client.force_login(self.create_test_user())

    def test_the_tree_rules(self):
        self.assertAllowedParentPageTypes(NoticeIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NoticeIndexPage, {NoticePage})
        self.assertAllowedParentPageTypes(NoticePage, {NoticeIndexPage})
        self.assertAllowedSubpageTypes(NoticePage, set())

    def test_an_editor_creates_an_index_and_a_notice(self):
        self.assertCanCreate(
            self.home,
            NoticeIndexPage,
            nested_form_data({"title": "悬赏通告", "slug": "rewards-offered", "intro": ""}),
        )
        wanted = NoticePage.objects.get(slug="example-2026-01", locale=self.home.locale)
        self.assertCanCreate(self.index, NoticePage, notice_form(wanted, slug="2026-002"))

    def test_every_notice_page_can_be_previewed(self):
        self.assertPageIsPreviewable(self.index)
        for notice in NoticePage.objects.all():
            self.assertPageIsPreviewable(notice)
