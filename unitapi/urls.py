from .api import api

# NinjaAPI.urls gives (patterns, "ninja", urls_namespace): the namespace is the app's name.
urlpatterns, _app, app_name = api.urls
