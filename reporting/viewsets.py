from django.utils.translation import gettext_lazy as _

from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Category


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
    list_display = ["name", "name_en", "slug", "law_article", "active"]
    list_filter = ["active"]
    search_fields = ["name", "name_en", "slug"]
    sort_order_field = "sort_order"
    copy_view_enabled = False


class ReportingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Clue reporting")
    menu_icon = "warning"
    menu_order = 300
    items = (CategoryViewSet,)
