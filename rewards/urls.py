from functools import wraps

from django.urls import path

from reporting.intake.views import no_referrer

from . import views

app_name = "rewards"


def without_referrer(view):
    """As every page of the report's status: no Referer sent from them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return no_referrer(view(request, *args, **kwargs))

    return wrapped


urlpatterns = [
    path("", without_referrer(views.claim), name="claim"),
    path("accept/", without_referrer(views.accept), name="accept"),
    path("review/", without_referrer(views.request_review), name="review"),
]
