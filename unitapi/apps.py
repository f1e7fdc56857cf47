from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitApiConfig(AppConfig):
    name = "unitapi"
    verbose_name = _("Units' API")
