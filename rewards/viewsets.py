from django.utils.translation import gettext_lazy as _

from wagtail.admin.viewsets.model import ModelViewSet

from .models import RewardBand


class RewardBandViewSet(ModelViewSet):
    """The bands a reward officer assesses a claim against. A band in use cannot be deleted:
    claims keep pointing at theirs."""

    model = RewardBand
    name = "reward_bands"
    url_prefix = "rewards/bands"
    icon = "pick"
    menu_label = _("Reward bands")
    add_to_admin_menu = True
    menu_order = 320
    form_fields = ["name", "name_en", "lowest", "highest", "description", "description_en"]
    list_display = ["name", "name_en", "lowest", "highest"]
    copy_view_enabled = False
