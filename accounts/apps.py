from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self):
        from portal import registry

        from . import checks, signals  # noqa: F401  (registers the checks and receivers)

        registry.add_demo_step(160, _demo_second_factor)
        registry.add_demo_summary(30, _second_factor)


def _demo_second_factor(context):
    # A public key is harmless only beside fresh random passwords, and never on a server run
    # with production settings: there, accounts enrol at first sign-in.
    context["demo_second_factor"] = not settings.SETTINGS_MODULE.endswith(".production")
    if context["demo_second_factor"]:
        from django.contrib.auth import get_user_model

        from . import demo

        admin = get_user_model().objects.get(username=context["username"])
        demo.give_demo_authenticators([admin, *context["people"].values()])


def _second_factor(context):
    if not context["demo_second_factor"]:
        return None
    from . import demo

    return (
        "Second factor of every demo account: the demo key "
        f"{demo.demo_key_base32()} in an authenticator app, or the current "
        "code from `.venv/bin/python manage.py demo_code`"
    )
