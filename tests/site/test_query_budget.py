from wagtail.models import Locale

import pytest

from content.factories import HomePageFactory
from portal.models import FooterLink, PortalSettings

# Queries to render the home page with a menu, the head's meta, the language switch and the
# footer links. Without the meta and footer links it was 10 and 11: the head shares the
# language switch's translations query; footer links cost one query, plus one on pages in the
# other language for their pages' translations. The home page's own features (featured
# stories with their portraits' renditions, latest news) add two, and leaving out
# translations behind a password (Wagtail reads the restrictions) one or two.
BUDGET = {"/": 14, "/en/": 17}


@pytest.mark.django_db
@pytest.mark.usefixtures("render_every_time")
@pytest.mark.parametrize("url", BUDGET)
def test_home_page_query_count_does_not_grow_with_content(
    client, site_tree, url, django_assert_max_num_queries
):
    en = Locale.objects.get(language_code="en")
    portal_settings = PortalSettings.for_site(site_tree["site"])
    for number in range(4):
        page = HomePageFactory(parent=site_tree["home"], slug=f"p{number}", show_in_menus=True)
        page.copy_for_translation(en).save_revision().publish()
        FooterLink.objects.create(
            portal_settings=portal_settings,
            title_zh=f"链接{number}",
            title_en=f"Link {number}",
            link_page=page,
        )
    FooterLink.objects.create(
        portal_settings=portal_settings, title_zh="外部", title_en="Outside", link_url="/report/"
    )
    client.get(url)  # Wagtail caches the site's root paths on first use

    with django_assert_max_num_queries(BUDGET[url]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<link rel="alternate"') == 3
