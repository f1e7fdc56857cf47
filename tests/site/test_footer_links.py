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


def label(language, text, **values):
    """A label as the catalogue of `language` has it (merged separately from the code)."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        return gettext(text) % values


def operator_lines(response):
    html = response.content.decode()
    block = re.search(r'<div class="site-operator">.*?</div>', html, re.S)
    if block is None:
        return []
    text = re.sub(r"<[^>]+>", "", block.group(0))
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.django_db
def test_footer_names_the_operator_and_registration_numbers_in_each_language(
    client, portal_settings
):
    portal_settings.operator_zh = "某市扫黑办"
    portal_settings.operator_en = "City Anti-Gang Office"
    portal_settings.address_zh = "某市某路 1 号"
    portal_settings.icp_number = "京ICP备12345678号-1"
    portal_settings.public_security_number = "京公网安备11010502012345号"
    portal_settings.save()

    zh = client.get("/")
    assert operator_lines(zh) == [
        label("zh-hans", "Operator: %(name)s", name="某市扫黑办"),
        label("zh-hans", "Address: %(address)s", address="某市某路 1 号"),
        label("zh-hans", "ICP registration:") + "京ICP备12345678号-1",
        label("zh-hans", "Public security registration:") + "京公网安备11010502012345号",
    ]
    html = zh.content.decode()
    assert '<a href="https://beian.miit.gov.cn/" lang="zh-Hans">京ICP备12345678号-1</a>' in html
    assert (
        '<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502012345" '
        'lang="zh-Hans">京公网安备11010502012345号</a>'
    ) in html
    # English labels; the English name, and the Chinese address where no English one is set.
    assert operator_lines(client.get("/en/")) == [
        "Operator: City Anti-Gang Office",
        "Address: 某市某路 1 号",
        "ICP registration:京ICP备12345678号-1",
        "Public security registration:京公网安备11010502012345号",
    ]


@pytest.mark.django_db
def test_empty_operator_settings_hide_their_lines(client, portal_settings):
    assert operator_lines(client.get("/")) == []
    portal_settings.icp_number = "京ICP备12345678号-1"
    portal_settings.save()
    assert operator_lines(client.get("/")) == [
        label("zh-hans", "ICP registration:") + "京ICP备12345678号-1"
    ]
    assert "beian.mps.gov.cn" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_demo_operator_is_marked_fictional_and_kept_once_edited(client, site_tree):
    portal.demo.load_settings(site_tree["site"])
    lines = operator_lines(client.get("/"))
    assert len(lines) == 4 and all("虚构" in line for line in lines), lines
    assert all("fictional" in line for line in operator_lines(client.get("/en/"))[:2])
    settings = PortalSettings.for_site(site_tree["site"])
    settings.icp_number = "京ICP备12345678号-1"
    settings.operator_zh = ""
    settings.save()
    portal.demo.load_settings(site_tree["site"])
    settings.refresh_from_db()
    assert settings.icp_number == "京ICP备12345678号-1" and settings.operator_zh == ""


@pytest.mark.django_db
def test_editors_set_the_operator_and_registration_numbers(admin_client, portal_settings):
    url = reverse(
        "wagtailsettings:edit", args=["portal", "portalsettings", portal_settings.site_id]
    )
    page = admin_client.get(url).content.decode()
    assert 'name="operator_zh"' in page and 'name="public_security_number"' in page
    data = nested_form_data(
        {
            "hotline": "12337",
            "operator_zh": "某市扫黑办",
            "operator_en": "",
            "address_zh": "某市某路 1 号",
            "address_en": "",
            "icp_number": "京ICP备12345678号-1",
            "public_security_number": "",
            "footer_links": inline_formset([]),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    portal_settings.refresh_from_db()
    assert (portal_settings.operator_zh, portal_settings.icp_number) == (
        "某市扫黑办",
        "京ICP备12345678号-1",
    )
    # English readers get the Chinese name when no English one is set.
    assert portal_settings.operator("en") == "某市扫黑办"
