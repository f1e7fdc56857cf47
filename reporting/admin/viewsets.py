from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

import django_filters

from portal.exports import PortalSpreadsheetExport
from reporting.admin import bulk as bulk_views
from reporting.admin import follow_ups
from reporting.admin import intake as admin_intake
from reporting.admin import views as admin_views
from reporting.admin.columns import (
    ClusterColumn,
    KeyClueColumn,
    ProtectionColumn,
    YesNoColumn,
)
from reporting.admin.filters import ClueFilterSet
from reporting.admin.statistics import supervised_units
from reporting.admin.unit_forms import UnitAdminForm
from reporting.lifecycle import protection
from reporting.models import Category, Clue, LedgerEntry, Membership, Unit


class CategoryViewSet(ModelViewSet):
    """The categories the report form offers. Deactivate rather than delete: clues keep
    pointing at their category."""

    model = Category
    name = "categories"
    url_prefix = "reporting/categories"
    icon = "tag"
    menu_label = _("Categories")
    form_fields = [
        "name",
        "name_en",
        "slug",
        "description",
        "description_en",
        "law_article",
        "active",
    ]
    list_display = [
        "name",
        "name_en",
        "slug",
        "law_article",
        YesNoColumn("active", label=_("Offered on the report form")),
    ]
    list_filter = ["active"]
    search_fields = ["name", "name_en", "slug"]
    sort_order_field = "sort_order"
    copy_view_enabled = False


class ClueViewSet(ModelViewSet):
    """The review queue and each clue's page. Only the listing and the detail page exist:
    clues are changed by workflow actions, never by generic edit or delete views."""

    model = Clue
    name = "clues"
    url_prefix = "reporting/clues"
    icon = "warning"
    menu_label = _("Clue queue")
    index_view_class = admin_views.ClueIndexView
    inspect_view_class = admin_views.ClueDetailView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Wagtail would queue a reference-index task on every save of a clue, inside the report's
    # transaction: a queue outage would then refuse reports. Clues link to nothing editors
    # need to find usages of.
    add_to_reference_index = False
    list_display = [
        "tracking_number",
        "status",
        "category",
        "region",
        "channel",
        "unit",
        KeyClueColumn("is_key", label=_("Key clue")),
        ClusterColumn("cluster", label=_("Repeat cluster")),
        ProtectionColumn("protection", label=_("Protection")),
        "created_at",
        "feedback_due_at",
        "overdue_since",
    ]
    filterset_class = ClueFilterSet
    search_fields = ["tracking_number", "what_happened"]
    # Newest first: what came in since one last looked is on top. The page says so
    # (the heading's arrow and a line above the table); the due dates sort on a click.
    ordering = "-created_at"
    list_export = [
        "tracking_number",
        "status",
        "category",
        "region",
        "unit",
        "is_key",
        "channel",
        "referring_body",
        "entry_code",
        "created_at",
        "acknowledge_due_at",
        "feedback_due_at",
    ]
    export_filename = "clues"

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("follow-up/", follow_ups.record_follow_up, name="follow_up"),
            path("enter/", admin_intake.EnterClueView.as_view(), name="enter"),
            path(
                "enter/<int:pk>/receipt/", admin_intake.StaffReceiptView.as_view(), name="receipt"
            ),
            path("enter/<int:pk>/done/", admin_intake.forget_receipt, name="receipt_done"),
            path(
                "inspect/<int:pk>/reply-slip/",
                admin_intake.download_reply_slip,
                name="reply_slip",
            ),
            path("bulk/", bulk_views.bulk_action, name="bulk"),
            path("bulk/<int:pk>/", bulk_views.bulk_job, name="bulk_job"),
            path("bulk/jobs/", bulk_views.bulk_jobs_list, name="bulk_jobs"),
            path("inspect/<int:pk>/act/<slug:action>/", admin_views.clue_action, name="act"),
            path(
                "inspect/<int:pk>/evidence/<int:evidence_id>/",
                admin_views.download_evidence,
                name="evidence",
            ),
            path(
                "inspect/<int:pk>/evidence/<int:evidence_id>/original/",
                admin_views.download_evidence,
                {"original": True},
                name="evidence_original",
            ),
        ]


class UnitViewSet(ModelViewSet):
    model = Unit
    name = "units"
    url_prefix = "reporting/units"
    icon = "group"
    menu_label = _("Units")
    edit_handler = ObjectList(
        [
            FieldPanel("parent"),
            FieldPanel("name"),
            FieldPanel("name_en"),
            FieldPanel("code"),
            FieldPanel("kind"),
            FieldPanel("region"),
            FieldPanel("email"),
            FieldPanel("webhook_url"),
            FieldPanel("webhook_secret"),
        ],
        base_form_class=UnitAdminForm,
    )
    list_display = ["name", "name_en", "code", "kind", "region", "webhook_url"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "code"]
    ordering = ["path"]
    copy_view_enabled = False
    add_to_reference_index = False


class MembershipViewSet(ModelViewSet):
    """Who works where, in which role. Saving a membership also puts the person in the role's
    group (reporting/roles.py)."""

    model = Membership
    name = "memberships"
    url_prefix = "reporting/memberships"
    icon = "user"
    menu_label = _("Staff roles")
    form_fields = ["user", "unit", "role"]
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    copy_view_enabled = False
    add_to_reference_index = False


class LedgerIndexView(PortalSpreadsheetExport, IndexView):
    """Every ledger entry of the units a supervisor oversees: entries written for those units
    and entries of clues they now hold. Read-only, like the ledger itself."""

    custom_value_preprocess = admin_views.ClueIndexView.custom_value_preprocess
    paginator_class = admin_views.ClueIndexView.paginator_class
    results_template_name = admin_views.ClueIndexView.results_template_name

    def get_base_queryset(self):
        units = supervised_units(self.request.user)
        queryset = (
            super()
            .get_base_queryset()
            .select_related("clue", "actor", "unit")
            # Protection requests are never listed nor exported here: whether a reporter asked
            # is for those the request is routed to (lifecycle/protection.py).
            .exclude(action__in=protection.LEDGER_ACTIONS)
        )
        if self.request.user.is_superuser:
            return queryset
        return queryset.filter(Q(unit__in=units) | Q(clue__unit__in=units))


class LedgerFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=LedgerEntry.Action.choices, empty_label=_("All")
    )
    at = django_filters.DateFromToRangeFilter(label=_("When"), widget=DateRangePickerWidget)
    tracking_number = django_filters.CharFilter(
        label=_("Tracking number"), field_name="clue__tracking_number", method="by_number"
    )

    class Meta:
        model = LedgerEntry
        fields = []

    def by_number(self, queryset, name, value):
        return queryset.filter(clue__tracking_number="".join(value.split()))


class LedgerViewSet(ModelViewSet):
    model = LedgerEntry
    name = "ledger"
    url_prefix = "reporting/ledger"
    icon = "list-ul"
    menu_label = _("Ledger")
    index_view_class = LedgerIndexView
    filterset_class = LedgerFilterSet
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = ["at", "clue", "action", "actor", "unit", "from_status", "to_status", "note"]
    list_export = [
        "at",
        "clue.tracking_number",
        "action",
        "actor",
        "unit",
        "from_status",
        "to_status",
        "note",
    ]
    export_headings = {"clue.tracking_number": _("Tracking number")}
    export_filename = "ledger"
    ordering = ["-at", "-pk"]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class ReportingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Clue reporting")
    menu_icon = "warning"
    menu_order = 300
    items = (ClueViewSet, CategoryViewSet, UnitViewSet, MembershipViewSet, LedgerViewSet)
