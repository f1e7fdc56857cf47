from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets.button import Button

from fugitives.models import NoticePage

from .viewsets import PostersViewSetGroup


@hooks.register("register_admin_viewset")
def register_posters_viewsets():
    return PostersViewSetGroup()


@hooks.register("register_page_header_buttons")
def notice_posters_button(page, user, view_name, next_url=None):
    """From a wanted notice's admin page to its printed posters."""
    if page.specific_class is not NoticePage or not user.has_perm("posters.add_entrypoint"):
        return
    yield Button(
        _("Printed posters"),
        reverse("entry_points:notice_posters", args=[page.pk]),
        icon_name="link",
        priority=40,
    )
