import secrets

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Clue reporting")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal import registry
        from portal.pagecache import invalidation
        from portal.permissions import NoDeletePolicy
        from reporting.intake import status_sections
        from reporting.lifecycle.permissions import ClueReadOnlyPolicy
        from reporting.lifecycle.roles import ensure_groups, sync_group

        from .models import Category, Clue, LedgerEntry, Membership, Region, Unit
        from .reference_data import seed_if_empty

        register_permission_policy(Clue, ClueReadOnlyPolicy(Clue))
        # The ledger is append-only: its admin listing offers no add or edit, superusers
        # included (their add permission would otherwise link to an add view that is absent).
        register_permission_policy(LedgerEntry, ClueReadOnlyPolicy(LedgerEntry))
        # Deleting a tree node deletes its subtree, and clues, transfers and ledger entries
        # point at units for good.
        register_permission_policy(Unit, NoDeletePolicy(Unit))
        post_migrate.connect(seed_if_empty, sender=self)
        post_migrate.connect(ensure_groups, sender=self)
        post_save.connect(sync_group, sender=Membership)
        post_delete.connect(sync_group, sender=Membership)
        # Public pages (the statistics) and the report form show regions and categories; the
        # form keeps its lists until they change (reporting.intake.fields.region_options).
        invalidation.watch(Region)
        invalidation.watch(Category)
        # A report being sent keeps what its reporter wrote; a receipt says to come back.
        registry.answer_errors("reporting:report", _report_not_sent, method="POST")
        registry.answer_errors("reporting:receipt", _receipt_not_shown, outage_only=True)
        registry.add_periodic_task(10, _periodic_checks)
        registry.add_metrics_collector("reporting", _metrics)
        registry.add_periodic_task(40, _refresh_statistics_snapshots)
        registry.add_demo_step(90, _demo_reference)
        registry.add_demo_step(110, _demo_report)
        registry.add_demo_step(120, _demo_staff)
        registry.add_demo_step(130, _demo_review)
        registry.add_demo_step(135, _demo_staff_intake)
        registry.add_demo_step(140, _demo_caller_follow_up)
        registry.add_demo_step(150, _demo_volume)
        registry.add_demo_step(155, _demo_repeat_cluster)
        registry.add_demo_step(156, _demo_triage)
        registry.add_demo_refresh(20, _demo_statistics)
        registry.add_demo_summary(20, _staff_login)
        registry.add_demo_summary(40, _report_status)
        registry.add_demo_summary(45, _staff_intake_receipt)
        registry.add_demo_step(157, _demo_protection)
        registry.add_demo_summary(47, _protection_receipt)
        status_sections.add(50, "protection", _protection_section)


# The views, task and demo modules are imported when used, not by every process that starts.


def _report_not_sent(request, status):
    from .intake.views import report_not_sent

    return report_not_sent(request, status)


def _receipt_not_shown(request, status):
    from .intake.views import receipt_not_shown

    return receipt_not_shown(request)


def _protection_section(request, clue, form):
    from .intake.views.protection import section

    return section(request, clue, form)


def _metrics():
    from .metrics import collect

    return collect()


def _periodic_checks():
    from .jobs.schedule import run_periodic_checks

    return run_periodic_checks


def _refresh_statistics_snapshots():
    from .jobs.statistics_snapshots import refresh_statistics_snapshots

    return refresh_statistics_snapshots


def _demo_reference(context):
    from . import demo

    demo.load()


def _demo_report(context):
    from . import demo

    context["tracking_number"], context["access_key"] = demo.demo_report()


def _demo_staff(context):
    from . import demo

    context["staff_password"] = secrets.token_urlsafe(12)
    context["people"] = demo.load_staff(password=context["staff_password"])


def _demo_review(context):
    from . import demo

    demo.demo_review(context["people"])


def _demo_caller_follow_up(context):
    from . import demo

    demo.demo_caller_follow_up(context["people"])


def _demo_staff_intake(context):
    from . import demo

    context["staff_intake"] = demo.demo_staff_intake(context["people"])


def _demo_volume(context):
    from . import demo

    demo.demo_volume(context["people"])


def _demo_repeat_cluster(context):
    from . import demo

    demo.demo_repeat_cluster()


def _demo_triage(context):
    from . import demo

    demo.demo_triage(context["people"])


def _demo_statistics(context):
    # The supervisors' usual statistics too, so the first visit reads them as the worker
    # will keep them, before its first round.
    from .jobs import statistics_snapshots as snapshots

    snapshots.refresh(force=True)


def _staff_login(context):
    return f"Demo staff (password for all: {context['staff_password']}): " + ", ".join(
        sorted(context["people"])
    )


def _report_status(context):
    return (
        f"Demo report: {settings.PORTAL_BASE_URL}/report/status/  "
        f"tracking number: {context['tracking_number']}  access key: {context['access_key']}"
    )


def _staff_intake_receipt(context):
    number, key, slip = context["staff_intake"]
    line = (
        f"Demo hotline clue entered by intake-hebei: tracking number: {number}  access key: {key}"
    )
    if slip is None:
        return line + "  (no reply slip: the CJK font is missing)"
    return line + f"  reply slip: {slip}"


def _demo_protection(context):
    from . import demo

    context["protection"] = demo.demo_protection(context["people"])


def _protection_receipt(context):
    number, key = context["protection"]
    return (
        f"Demo report with a request for protection (answer it as supervisor-hebei): "
        f"tracking number: {number}  access key: {key}"
    )
