from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"  # "search" would be easy to confuse with wagtail.search's tables
    verbose_name = _("Site search")
