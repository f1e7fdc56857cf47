from importlib import import_module

from django.apps import apps
from django.urls import reverse

import pytest

from reporting.models import Category

pytestmark = pytest.mark.django_db


def test_staff_edit_categories_and_the_form_follows(admin_client, client, site_tree):
    index = admin_client.get(reverse("categories:index"))
    assert index.status_code == 200
    assert "欺行霸市、强迫交易" in index.content.decode()

    response = admin_client.post(
        reverse("categories:add"),
        {
            "name": "非法讨债",
            "name_en": "Illegal debt collection",
            "slug": "illegal-debt",
            "description": "雇人上门、跟踪、恐吓讨债。",
            "description_en": "Hired collectors who follow, threaten or harass.",
            "law_article": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert "非法讨债" in client.get("/report/").content.decode()

    market = Category.objects.get(slug="market-bullies")
    market.active = False
    market.save()
    assert "欺行霸市、强迫交易" not in client.get("/report/").content.decode()


def test_a_bad_category_is_refused_with_reasons(admin_client, site_tree):
    response = admin_client.post(
        reverse("categories:add"),
        {"name": "", "name_en": "x", "slug": "not a slug", "description": "", "law_article": "-3"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-message" in html
    assert not Category.objects.filter(name_en="x").exists()


def test_people_without_permission_cannot_open_categories(client, user, site_tree):
    user.is_staff = False
    user.save()
    client.force_login(user)
    response = client.get(reverse("categories:index"))
    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_the_routine_loan_category_is_renamed_unless_staff_edited_it():
    """Migration 0020: an installation seeded before the fix reads "'Routine loan' fraud"."""
    migration = import_module("reporting.migrations.0020_routine_loan_fraud_in_english")
    seeded = Category.objects.create(slug="old-seed", name="套路贷", name_en=migration.OLD)
    edited = Category.objects.create(slug="edited", name="套路贷", name_en="Loan sharks")
    migration.rename(apps, None)
    seeded.refresh_from_db()
    edited.refresh_from_db()
    assert seeded.name_en == migration.NEW
    assert edited.name_en == "Loan sharks"
