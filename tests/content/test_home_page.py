from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from content.models import HomePage
from tests.conftest import StaffClient


class HomePageEditingTests(WagtailPageTestCase):
    client_class = StaffClient

    def setUp(self):
        self.client.force_login(self.create_test_user())
        self.root = Page.get_first_root_node()

    def test_editor_can_create_a_home_page_at_the_root(self):
        self.assertCanCreate(
            self.root,
            HomePage,
            nested_form_data(
                {
                    "title": "新首页",
                    "slug": "new-home",
                    "lead": "导语",
                    "body": rich_text("<p>正文</p>"),
                    "featured_stories": inline_formset([]),
                }
            ),
        )

    def test_home_pages_only_sit_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})


@pytest.mark.django_db
def test_home_page_lead_is_limited(site_tree):
    from django.core.exceptions import ValidationError

    home = site_tree["home"]
    home.lead = "长" * 501
    with pytest.raises(ValidationError):
        home.full_clean()
