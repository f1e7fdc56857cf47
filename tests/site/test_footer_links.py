import re

from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

import portal.demo
from content.factories import HomePageFactory
from portal.models import FooterLink, PortalSettings


def footer(response):
    assert response.status_code == 200
    html = response.content.decode()
    nav = re.search(r'<nav class="footer-links".*?</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(0)) if nav else []


@pytest.fixture
def portal_settings(site_tree):
    return PortalSettings.for_site(site_tree["site"])


@pytest.fixture
def about(site_tree):
    page = HomePageFactory(parent=site_tree["home"], slug="about", title="关于")
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.save_revision().publish()
    return page


@pytest.mark.django_db
def test_footer_links_in_the_current_language(client, portal_settings, about, site_tree):
    only_zh = HomePageFactory(parent=site_tree["home"], slug="privacy", title="隐私")
    for title_zh, title_en, target in [
        ("关于本平台", "About", {"link_page": about}),
        ("隐私说明", "Privacy notice", {"link_page": only_zh}),
        ("举报", "Report", {"link_url": "/report/"}),
    ]:
        FooterLink.objects.create(
            portal_settings=portal_settings, title_zh=title_zh, title_en=title_en, **target
        )

    assert footer(client.get("/")) == [
        ("/about/", "关于本平台"),
        ("/privacy/", "隐私说明"),
        ("/report/", "举报"),
    ]
    # The English footer leads to the English translation when there is one.
    assert footer(client.get("/en/")) == [
        ("/en/about/", "About"),
        ("/privacy/", "Privacy notice"),
        ("/report/", "Report"),
    ]


@pytest.mark.django_db
def test_links_to_unpublished_or_deleted_pages_are_left_out(client, portal_settings, about):
    link = FooterLink.objects.create(
        portal_settings=portal_settings, title_zh="关于", title_en="About", link_page=about
    )
    about.unpublish()
    assert footer(client.get("/")) == []
    about.delete()
    link.refresh_from_db()
    assert link.link_page is None
    assert footer(client.get("/")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [{}, {"link_url": "/x/", "link_page_id": 1}, {"link_url": "javascript:alert(1)"}],
)
def test_a_link_needs_exactly_one_safe_target(portal_settings, target):
    link = FooterLink(portal_settings=portal_settings, title_zh="链接", title_en="Link", **target)
    with pytest.raises(ValidationError):
        link.full_clean()


@pytest.mark.django_db
def test_editors_manage_footer_links_in_the_settings(admin_client, portal_settings, about):
    url = reverse(
        "wagtailsettings:edit", args=["portal", "portalsettings", portal_settings.site_id]
    )
    assert admin_client.get(url).status_code == 200
    data = nested_form_data(
        {
            "hotline": "12337",
            "footer_links": inline_formset(
                [
                    {"title_zh": "关于", "title_en": "About", "link_page": about.pk},
                    {
                        "title_zh": "外站",
                        "title_en": "Elsewhere",
                        "link_url": "https://x.example/",
                    },
                ]
            ),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert [
        (link.title_en, link.link_page_id, link.link_url)
        for link in portal_settings.footer_links.all()
    ] == [
        ("About", about.pk, ""),
        ("Elsewhere", None, "https://x.example/"),
    ]


@pytest.mark.django_db
def test_demo_adds_footer_links_once(client, site_tree):
    portal.demo.load_settings(site_tree["site"])
    portal.demo.load_settings(site_tree["site"])
    assert FooterLink.objects.count() == len(portal.demo.FOOTER_LINKS)
    # Without the standing pages (the demo makes them first) the links lead home.
    assert footer(client.get("/")) == [
        ("/", "隐私说明"),
        ("/", "举报指南"),
        ("/", "关于本平台"),
        ("/", "数据公开"),
    ]
    assert footer(client.get("/en/")) == [
        ("/en/", "Privacy notice"),
        ("/en/", "How to report"),
        ("/en/", "About this portal"),
        ("/en/", "Open figures"),
    ]


@pytest.mark.django_db
def test_demo_footer_links_lead_to_the_standing_pages_in_each_language(client, site_tree):
    import content.demo_pages

    content.demo_pages.load()
    portal.demo.load_settings(site_tree["site"])
    assert footer(client.get("/"))[0] == ("/privacy/", "隐私说明")
    assert footer(client.get("/en/"))[0] == ("/en/privacy/", "Privacy notice")
