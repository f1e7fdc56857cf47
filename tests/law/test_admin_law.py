"""Editors create a law page in the admin and import its text from an upload."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

import law.demo
from law.models import LawPage

from .test_import import TEXT

pytestmark = pytest.mark.django_db


def test_an_editor_creates_a_law_page(admin_client, site_tree):
    home = site_tree["home"]
    url = reverse("wagtailadmin_pages:add", args=["law", "lawpage", home.pk])
    data = nested_form_data(
        {
            "title": "中华人民共和国示例法",
            "slug": "example-law",
            "short_title": "示例法",
            "status": "in_force",
            "intro": rich_text("<p>示例</p>"),
            "versions": inline_formset([{"date": "2030-01-01", "description": "通过"}]),
            "chapters": inline_formset([{"number": 1, "title": "总则"}]),
            "sections": inline_formset([]),
            "articles": inline_formset(
                [{"number": 1, "chapter_number": 1, "section_number": 0, "text": "示例条文。"}]
            ),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = LawPage.objects.get(slug="example-law")
    assert page.live
    assert "示例条文。" in admin_client.get(page.url).content.decode()


def test_the_admin_import_refuses_bad_text_and_imports_good_text(admin_client, site_tree):
    page = law.demo.load()
    url = reverse("law_import", args=[page.pk])
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert url in edit  # the page's header offers the import
    revisions = page.revisions.count()
    bad = admin_client.post(url, {"text": TEXT.replace("第三条　本法自", "第五条　本法自")})
    assert bad.status_code == 200
    assert "第 13 行：" in bad.content.decode()
    assert page.revisions.count() == revisions
    empty = admin_client.post(url, {})
    assert empty.status_code == 200
    upload = SimpleUploadedFile("law.txt", TEXT.encode("gb18030"))
    good = admin_client.post(url, {"file": upload})
    assert good.status_code == 302
    draft = LawPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [article.number for article in draft.articles.all()] == [1, 2, 3]


def test_an_uploaded_text_with_a_nul_is_refused_with_its_line(admin_client, site_tree):
    """The pasted box refuses a NUL as every form field does; an uploaded file bypassed that,
    and PostgreSQL refused the revision with a server error."""
    page = law.demo.load()
    revisions = page.revisions.count()
    upload = SimpleUploadedFile("law.txt", TEXT.replace("前款", "前\x00款").encode())
    response = admin_client.post(reverse("law_import", args=[page.pk]), {"file": upload})
    assert response.status_code == 200
    assert "第 11 行：" in response.content.decode()
    assert page.revisions.count() == revisions


def test_only_editors_of_the_page_may_import(client, site_tree, user):
    page = law.demo.load()
    client.force_login(user)
    response = client.get(reverse("law_import", args=[page.pk]))
    assert response.status_code in (302, 403)
