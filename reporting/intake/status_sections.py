"""Parts other apps add to the reporter's status page (the rewards app's claim, for one):
reporting shows them without importing those apps.

A section is a function `section(request, clue, form)` that returns HTML (a SafeString, from
render_to_string) or "" when it has nothing to show for this clue. `form` is the section's
own bound form when the app's view sends the page back with that form's errors
(reporting.intake.views.follow_up.follow_up_page(..., section_forms={name: form})), else None.
The app's views find the clue the browser unlocked with follow_up.unlocked_clue(request)."""

_sections = []


def add(order, name, section):
    """Show `section` on the status page, in `order` among the others (after the timeline and
    the messages, before the form to add evidence)."""
    _sections.append((order, name, section))


def render_all(request, clue, forms=None):
    forms = forms or {}
    parts = [
        section(request, clue, forms.get(name))
        for _order, name, section in sorted(_sections, key=lambda item: item[0])
    ]
    return [part for part in parts if part]
