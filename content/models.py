from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page
from wagtail.search import index

from search.fields import segmented


class PortalImage(AbstractImage):
    """The site's image model, swapped in from the first migration so that fields such as a
    photo credit or a consent note for people shown in hero stories can be added later."""

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")


class PortalRendition(AbstractRendition):
    image = models.ForeignKey(PortalImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class HomePage(Page):
    lead = models.TextField(
        _("lead message"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text=_("One or two sentences shown large at the top of the home page."),
    )
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = segmented(
        *Page.search_fields, index.SearchField("lead"), index.SearchField("body")
    )

    # One home page per language, each directly under the tree's root.
    parent_page_types = ["wagtailcore.Page"]
    template = "content/home_page.html"

    class Meta:
        verbose_name = _("home page")
