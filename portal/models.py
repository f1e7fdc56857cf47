from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


class User(AbstractUser):
    """Staff and editor accounts. Citizens never have accounts: they report anonymously or by
    name, and follow up with a receipt. Swappable from the first migration so staff profile
    fields (unit, phone for the second factor) can be added without a data migration dance."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self):
        """Chinese names read family name first, with no space: 王小明, not 小明 王."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u3400" <= char <= "\u9fff" for char in first + last):
            return f"{last}{first}"
        return super().get_full_name()


phone_validator = RegexValidator(
    r"^[0-9][0-9 -]{1,30}[0-9]$",
    _("Use digits, spaces and hyphens only, for example 12337 or 010-1234 5678."),
)


MIIT_REGISTRATION_URL = "https://beian.miit.gov.cn/"
MPS_REGISTRATION_URL = "https://beian.mps.gov.cn/"


@register_setting(icon="site")
class PortalSettings(ClusterableModel, BaseSiteSetting):
    hotline = models.CharField(
        _("reporting hotline"),
        max_length=32,
        default="12337",
        validators=[phone_validator],
        help_text=_("Shown in the footer of every page and on the report pages."),
    )
    # Who runs the site, and its registration numbers: Chinese readers look for them in the
    # footer before they trust a site with a report. An empty field hides its line.
    operator_zh = models.CharField(
        _("operator (主办单位) in Chinese"),
        max_length=120,
        blank=True,
        help_text=_("The body that runs this website, as every page's footer names it."),
    )
    operator_en = models.CharField(
        _("operator in English"),
        max_length=200,
        blank=True,
        help_text=_("Shown on English pages; the Chinese name is shown when this is empty."),
    )
    address_zh = models.CharField(_("address in Chinese"), max_length=200, blank=True)
    address_en = models.CharField(
        _("address in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown on English pages; the Chinese address is shown when this is empty."),
    )
    icp_number = models.CharField(
        _("ICP registration number (ICP备案号)"),
        max_length=80,
        blank=True,
        help_text=_("For example 京ICP备12345678号-1. It links to the MIIT registration site."),
    )
    public_security_number = models.CharField(
        _("public security registration number (公安备案号)"),
        max_length=80,
        blank=True,
        help_text=_(
            "For example 京公网安备11010502012345号. It links to this number's record on the "
            "Ministry of Public Security's registration site."
        ),
    )

    panels = [
        FieldPanel("hotline"),
        MultiFieldPanel(
            [
                FieldPanel("operator_zh"),
                FieldPanel("operator_en"),
                FieldPanel("address_zh"),
                FieldPanel("address_en"),
                FieldPanel("icp_number"),
                FieldPanel("public_security_number"),
            ],
            heading=_("Operator and registration"),
        ),
        InlinePanel("footer_links", heading=_("Footer links"), label=_("footer link")),
    ]

    class Meta:
        verbose_name = _("portal settings")

    def operator(self, language_code):
        return (language_code == "en" and self.operator_en) or self.operator_zh

    def address(self, language_code):
        return (language_code == "en" and self.address_en) or self.address_zh

    @property
    def public_security_url(self):
        """The record's page on beian.mps.gov.cn, found by the number's digits."""
        digits = "".join(char for char in self.public_security_number if char.isdigit())
        if not digits:
            return MPS_REGISTRATION_URL
        return f"{MPS_REGISTRATION_URL}#/query/webSearch?code={digits}"


def validate_link_url(value):
    """An address on another site (http or https) or a path on this one (/report/)."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"])(value)


class FooterLink(Orderable):
    """A link in every page's footer (privacy notice, about the portal...): to a page, shown in
    the reader's language when it has a translation, or to an address."""

    portal_settings = ParentalKey(
        PortalSettings, on_delete=models.CASCADE, related_name="footer_links"
    )
    title_zh = models.CharField(_("title in Chinese"), max_length=60)
    title_en = models.CharField(_("title in English"), max_length=60)
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Readers of the other language get its translation when there is one."),
    )
    link_url = models.CharField(
        _("or address"),
        max_length=500,
        blank=True,
        validators=[validate_link_url],
        help_text=_("A full address (https://...) or a path on this site (/report/)."),
    )

    panels = [
        FieldPanel("title_zh"),
        FieldPanel("title_en"),
        FieldPanel("link_page"),
        FieldPanel("link_url"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("footer link")
        verbose_name_plural = _("footer links")

    def __str__(self):
        return self.title_zh

    def clean(self):
        super().clean()
        if bool(self.link_page_id) == bool(self.link_url):
            raise ValidationError(_("Choose a page or enter an address: one of the two."))

    def title(self, language_code):
        return self.title_en if language_code == "en" else self.title_zh
