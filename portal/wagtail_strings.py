"""Wagtail's own strings that its Simplified Chinese catalogue leaves untranslated and that
staff see in the admin (the dashboard's counts, its search box, the editor guide link, the
sidebar, the keyboard-shortcuts dialog, sortable column headings).

The project's catalogue (LOCALE_PATHS) takes precedence over Wagtail's, so it carries their
translations. Nothing imports this module: it only lists the msgids, exactly as Wagtail 8
writes them, so that `scripts/translations.py update` (makemessages) finds them in the
project's sources and keeps them in the catalogue. After a Wagtail upgrade, compare them with
its source: a msgid changed there is English again here until it is changed here too
(tests/portal/test_wagtail_strings.py renders the dashboard to catch it).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# The dashboard's summary (templates wagtailadmin/home/site_summary_pages.html,
# wagtailimages/homepage/site_summary_images.html,
# wagtaildocs/homepage/site_summary_documents.html).
SUMMARY = (
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
    ),
)

STRINGS = (
    # The dashboard (admin/views/home.py, home/account_summary.html, shared/avatar.html).
    gettext_noop("Search all pages…"),
    gettext_noop("Wagtail %(current_version)s editor guide"),
    gettext_noop("Edit account avatar"),
    # The sidebar (admin/wagtail_hooks.py).
    gettext_noop("Page types usage"),
    gettext_noop("Shortcuts"),
    # Sortable column headings of every listing (admin/ui/tables/__init__.py).
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    # The page shown without JavaScript (wagtailadmin/skeleton.html).
    gettext_noop(
        "JavaScript is required to use Wagtail, but it is currently disabled.<br /> Here are the"
        ' <a href="https://www.enable-javascript.com/" target="_blank" rel="noreferrer">'
        "instructions how to enable JavaScript in your web browser</a>."
    ),
    # The keyboard-shortcuts dialog on every admin page (admin/templatetags/wagtailadmin_tags.py,
    # shared/keyboard_shortcuts_dialog.html).
    gettext_noop("Section"),
    gettext_noop("account"),
    gettext_noop(
        "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them."
    ),
    gettext_noop(
        "Keyboard shortcuts are currently disabled; manage your %(account_link)s to enable them."
    ),
    gettext_noop("Application"),
    gettext_noop("Show keyboard shortcuts"),
    gettext_noop("Toggle minimap"),
    gettext_noop("Close modal dialogs (like this one)"),
    gettext_noop("Save changes"),
    gettext_noop("Add or show comments"),
    gettext_noop("Text editing"),
    gettext_noop("Cut"),
    gettext_noop("Paste"),
    gettext_noop("Paste without formatting"),
    gettext_noop("Paste and match style"),
    gettext_noop("Text formatting"),
    gettext_noop("Insert or edit a link"),
    gettext_noop("Monospace (code)"),
    gettext_noop("Strike-through"),
)
