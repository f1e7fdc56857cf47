from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


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


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    hotline = models.CharField(
        _("reporting hotline"),
        max_length=32,
        default="12337",
        validators=[phone_validator],
        help_text=_("Shown in the footer of every page and on the report pages."),
    )

    panels = [FieldPanel("hotline")]

    class Meta:
        verbose_name = _("portal settings")
