from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from reporting.admin.statistics import supervises

from . import admin_views


class ApiKeysMenuItem(MenuItem):
    def is_shown(self, request):
        return supervises(request.user)


@hooks.register("register_admin_urls")
def register_api_key_urls():
    return [
        path("unitapi/keys/", admin_views.index, name="unitapi_keys"),
        path("unitapi/keys/add/", admin_views.add, name="unitapi_key_add"),
        path("unitapi/keys/<int:pk>/revoke/", admin_views.revoke, name="unitapi_key_revoke"),
    ]


@hooks.register("register_admin_menu_item")
def register_api_keys_menu_item():
    return ApiKeysMenuItem(_("API keys"), reverse("unitapi_keys"), icon_name="key", order=306)


@hooks.register("register_log_actions")
def register_key_log_actions(actions):
    actions.register_action("unitapi.revoke", _("Revoke API key"), _("API key revoked"))
