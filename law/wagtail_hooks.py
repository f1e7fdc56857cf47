from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_views
from .models import LawPage


@hooks.register("register_admin_urls")
def register_law_import_url():
    return [path("law/<int:page_id>/import/", admin_views.import_text, name="law_import")]


@hooks.register("register_page_header_buttons")
def law_import_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, LawPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Import the law's text"),
            reverse("law_import", args=[page.pk]),
            icon_name="doc-full",
            priority=40,
        )
