"""The public statistics page: figures an editor enters from published reports, beside live
aggregates of the clues that the task worker computes and stores as a snapshot. A request
only reads the snapshot; small figures were suppressed before it was stored."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.restrictions import PortalPage
from search.fields import segmented

from .blocks import MilestoneBlock


class Snapshot(models.Model):
    """The latest public figures, already suppressed; one row, replaced at each refresh."""

    computed_at = models.DateTimeField(_("computed at"))
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M}"


MONTH_COLUMNS = ("received", "concluded")
CATEGORY_COLUMNS = ("received", "transferred", "concluded")
PROVINCE_COLUMNS = ("received", "transferred", "concluded")
CHANNEL_COLUMNS = ("received", "transferred", "concluded")


def _hides(rows, suppressed, columns):
    """Whether a table needs its line of suppressed figures: a figure of it is hidden, or
    its total holds clues in none of its rows (reports without a place)."""
    if suppressed is None:
        return False
    return any(row[name] is None for row in rows for name in columns) or any(
        suppressed.get(name) != 0 for name in columns
    )


def _labelled(rows):
    english = get_language() == "en"
    return [{**row, "label": row["name_en"] if english else row["name"]} for row in rows]


def _defined(rows):
    """Registered figures (other apps'), labelled and with their definition in the reader's
    language."""
    english = get_language() == "en"
    return [
        {**row, "definition": row["definition_en"] if english else row["definition"]}
        for row in _labelled(rows)
    ]


class StatisticsPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    milestones = StreamField(
        [("figure", MilestoneBlock())],
        verbose_name=_("milestone figures"),
        blank=True,
        help_text=_("Figures from published work reports, shown above the live figures."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("milestones")]
    search_fields = segmented(*Page.search_fields, index.SearchField("intro"))
    parent_page_types = ["content.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "transparency/statistics_page.html"

    class Meta:
        verbose_name = _("statistics page")

    def get_context(self, request, *args, **kwargs):
        from .charts import monthly_chart

        context = super().get_context(request, *args, **kwargs)
        snapshot = Snapshot.objects.order_by("-computed_at").first()
        if snapshot is not None:
            figures = snapshot.figures
            # A phone shows the provinces that have a figure to show; the rest are one line.
            provinces = [
                row
                for row in figures["provinces"]
                if any(row[name] is not None for name in PROVINCE_COLUMNS)
            ]
            # A snapshot stored before the suppressed lines existed has none until the next.
            suppressed = figures.get("suppressed", {})
            # Nor the breakdown by channel (format 1): its table waits for the next snapshot.
            channels = figures.get("channels")
            context.update(
                snapshot=snapshot,
                figures=figures,
                categories=_labelled(figures["categories"]),
                provinces=_labelled(provinces),
                quiet_provinces=len(figures["provinces"]) - len(provinces),
                channels=None if channels is None else _labelled(channels),
                registered=_defined(figures.get("registered", [])),
                suppressed=suppressed,
                hiding={
                    "months": _hides(figures["months"], suppressed.get("months"), MONTH_COLUMNS),
                    "categories": _hides(
                        figures["categories"], suppressed.get("categories"), CATEGORY_COLUMNS
                    ),
                    "provinces": _hides(
                        figures["provinces"], suppressed.get("provinces"), PROVINCE_COLUMNS
                    ),
                    "channels": channels is not None
                    and _hides(channels, suppressed.get("channels"), CHANNEL_COLUMNS),
                },
                chart=monthly_chart(figures["months"]),
            )
        return context
