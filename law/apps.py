from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LawConfig(AppConfig):
    name = "law"
    verbose_name = _("Laws")

    def ready(self):
        from portal import registry

        registry.add_demo_step(30, _demo_laws)


def _demo_laws(context):
    # Imported when the demo is loaded, not by every web process.
    from . import demo

    demo.load()
