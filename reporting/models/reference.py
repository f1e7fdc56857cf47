"""Reference data staff edit: the region tree and the categories of clues."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from treebeard.mp_tree import MP_Node


class BilingualName(models.Model):
    """Reference data staff edit in both languages; the active language picks the label."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self):
        return self.name_en if get_language() == "en" else self.name


class Region(BilingualName, MP_Node):
    """The administrative division tree: provinces, cities, counties (codes of GB/T 2260)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Category(BilingualName):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.CharField(_("description (Chinese)"), max_length=200)
    description_en = models.CharField(_("description (English)"), max_length=200)
    law_article = models.PositiveSmallIntegerField(
        _("related article of the Anti-Organized Crime Law"), null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered on the report form"), default=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    @property
    def description_label(self):
        return self.description_en if get_language() == "en" else self.description
