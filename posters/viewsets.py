from django.urls import path
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import admin_views
from .models import Campaign, EntryPoint

FIGURE_COLUMNS = [
    Column("scans", label=_("Scans"), accessor=lambda item: item.figures.scans),
    Column("submitted", label=_("Clues"), accessor=lambda item: item.figures.submitted),
    Column("accepted", label=_("Accepted"), accessor=lambda item: item.figures.accepted),
]


class EntryPointViewSet(ModelViewSet):
    """One entry point per poster. Switched off, never deleted: the code stays printed."""

    model = EntryPoint
    name = "entry_points"
    url_prefix = "posters/entry-points"
    icon = "link"
    menu_label = _("Entry points")
    index_view_class = admin_views.EntryPointIndexView
    inspect_view_class = admin_views.EntryPointInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    panels = [
        FieldPanel("name"),
        FieldPanel("location"),
        FieldPanel("campaign"),
        MultiFieldPanel(
            [
                FieldPanel("target"),
                FieldRowPanel([FieldPanel("category"), FieldPanel("region")]),
                FieldPanel("page"),
            ],
            heading=_("Where the code leads"),
        ),
        FieldPanel("active"),
    ]
    list_display = [
        "name",
        "code",
        "location",
        "campaign",
        BooleanColumn("active", label=_("Active")),
        *FIGURE_COLUMNS,
    ]
    list_filter = ["campaign", "active", "target"]
    search_fields = ["name", "code", "location"]
    ordering = ["-created_at"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", admin_views.import_entry_points, name="import"),
            path("posters.zip", admin_views.posters_zip, name="posters_zip"),
            path(
                "notice/<int:page_id>/",
                admin_views.notice_posters,
                name="notice_posters",
            ),
        ]


class CampaignViewSet(ModelViewSet):
    model = Campaign
    name = "campaigns"
    url_prefix = "posters/campaigns"
    icon = "date"
    menu_label = _("Campaigns")
    index_view_class = admin_views.CampaignIndexView
    inspect_view_class = admin_views.CampaignInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    form_fields = ["name", "description", "starts_on", "ends_on"]
    list_display = ["name", "starts_on", "ends_on", *FIGURE_COLUMNS]
    search_fields = ["name"]


class PostersViewSetGroup(ModelViewSetGroup):
    menu_label = _("Posters")
    menu_icon = "link"
    menu_order = 310
    items = (EntryPointViewSet, CampaignViewSet)
