from django.urls import path, reverse
from django.utils.translation import gettext as _

from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    return [
        path("two-factor/", views.overview, name="accounts_two_factor"),
        path("two-factor/verify/", views.verify, name="accounts_verify"),
        path("two-factor/enrol/", views.enrol, name="accounts_enrol"),
        path("two-factor/recovery-codes/", views.recovery_codes, name="accounts_recovery_codes"),
        path(
            "two-factor/recovery-codes/new/",
            views.new_recovery_codes,
            name="accounts_new_recovery_codes",
        ),
    ]


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse("accounts_two_factor"),
        "label": _("Two-factor authentication"),
        "help_text": _("Your authenticator app and recovery codes."),
    }
