from django.urls import re_path

from .api import api, unknown_path

# NinjaAPI.urls gives (patterns, "ninja", urls_namespace): the namespace is the app's name.
patterns, _app, app_name = api.urls
urlpatterns = [*patterns, re_path(r"^(?P<path>.*)$", unknown_path, name="unknown")]
