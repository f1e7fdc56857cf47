from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, scope
from .viewsets import RewardBandViewSet


class ClaimsMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.sees_claims(request.user)


@hooks.register("register_admin_urls")
def register_claim_urls():
    return [
        path("rewards/claims/", admin_views.index, name="rewards_claims"),
        path("rewards/claims/<int:pk>/", admin_views.claim, name="rewards_claim"),
        path("rewards/claims/<int:pk>/propose/", admin_views.propose, name="rewards_propose"),
        path("rewards/claims/<int:pk>/sign/", admin_views.sign, name="rewards_sign"),
        path("rewards/claims/<int:pk>/review/", admin_views.review, name="rewards_review"),
        path("rewards/claims/<int:pk>/pay/", admin_views.pay, name="rewards_pay"),
    ]


@hooks.register("register_admin_menu_item")
def register_claims_menu_item():
    return ClaimsMenuItem(
        _("Reward claims"), reverse("rewards_claims"), icon_name="pick", order=310
    )


@hooks.register("register_admin_viewset")
def register_band_viewset():
    return RewardBandViewSet()
