from django.templatetags.static import static
from django.utils.html import format_html

from wagtail import hooks


@hooks.register("insert_global_admin_js")
def start_widgets_without_inline_scripts():
    """Starts the date and time pickers whose templates are overridden so the admin's
    Content-Security-Policy can refuse inline scripts (static/js/admin-init.js)."""
    return format_html('<script src="{}" defer></script>', static("js/admin-init.js"))
