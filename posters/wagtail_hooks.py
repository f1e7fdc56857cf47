from wagtail import hooks

from .viewsets import PostersViewSetGroup


@hooks.register("register_admin_viewset")
def register_posters_viewsets():
    return PostersViewSetGroup()
