from wagtail import hooks

from .viewsets import ReportingViewSetGroup


@hooks.register("register_admin_viewset")
def register_reporting_viewsets():
    return ReportingViewSetGroup()
