from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            registry,
        )
        from .pagecache import invalidation

        invalidation.connect()
        registry.add_periodic_task(20, _publish_scheduled_pages)
        registry.add_demo_step(20, _demo_workflow)
        registry.add_demo_step(80, _demo_settings)
        registry.add_demo_step(100, _demo_admin)
        registry.add_demo_summary(10, _admin_login)


# The task and demo modules are imported when used, not by every web process.


def _publish_scheduled_pages():
    from .tasks import publish_scheduled_pages

    return publish_scheduled_pages


def _demo_workflow(context):
    from . import demo

    demo.load_workflow(context["site"])


def _demo_settings(context):
    from . import demo

    demo.load_settings(context["site"])


def _demo_admin(context):
    from . import demo

    context["username"], context["password"] = demo.reset_admin()


def _admin_login(context):
    return (
        f"Admin login: {settings.PORTAL_BASE_URL}/admin/  "
        f"user: {context['username']}  password: {context['password']}\n"
        "(a new password is set each time this command runs)"
    )
