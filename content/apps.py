from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        from portal import registry

        registry.add_demo_step(10, _demo_site)
        registry.add_demo_step(40, _demo_stories)
        registry.add_demo_step(50, _demo_pages)
        registry.add_demo_step(60, _demo_featured)


# The demo modules are imported when the demo is loaded, not by every web process.


def _demo_site(context):
    from . import demo

    context["site"] = demo.load()


def _demo_stories(context):
    from . import demo_stories

    demo_stories.load()


def _demo_pages(context):
    from . import demo_pages

    demo_pages.load()


def _demo_featured(context):
    from . import demo_pages

    demo_pages.feature_on_home()
