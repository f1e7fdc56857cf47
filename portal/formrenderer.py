"""The form renderer: Django's widget templates through the project's template engine (so
templates/ can restyle any widget), with the plainest widgets written out in Python.

A page with a form renders dozens of `<input>`, `<textarea>` and `<option>` elements, each a
template with an included attribute template: most of the report form's rendering time.
The markup below is character for character what Django's own templates make
(tests/portal/test_form_renderer.py compares them over many widgets and values); it is used
only while those templates are Django's own, so overriding one in templates/ takes effect as
before. Any value a template would treat differently (a callable, a number it would
localize) goes to the template.
"""

import html
from pathlib import Path

import django.forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

from portal.pagecache.kept import until_content_changes

WIDGETS = "django/forms/widgets/"
DJANGO_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"
INPUT_TEMPLATES = {
    f"{WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "input",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}
OPTION_TEMPLATES = {f"{WIDGETS}radio_option.html", f"{WIDGETS}checkbox_option.html"}
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
SELECT_OPTION = f"{WIDGETS}select_option.html"
# What the templates above include: an override of any of them is an override of all.
INCLUDED = {f"{WIDGETS}attrs.html", f"{WIDGETS}input_option.html"}


def escape(text):
    """django.utils.html.escape, without the wrapper that looks for lazy arguments in every
    call (a fifth of the report form's GET, hundreds of calls): the same html.escape."""
    return html.escape(str(text))


def conditional_escape(text):
    """django.utils.html.conditional_escape, likewise."""
    if isinstance(text, Promise):
        text = str(text)
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class Unsupported(Exception):
    """A value the template would render in its own way."""


def _text(value):
    """`{{ value }}` of a string: escaped unless marked safe."""
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, str | Promise):
        return escape(value)
    raise Unsupported


def _formatted(value):
    """`{{ value|stringformat:'s' }}`."""
    if callable(value):
        raise Unsupported
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget):
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _input_option(widget):
    if not widget.get("wrap_label"):
        return _input(widget)
    element_id = widget["attrs"].get("id")
    label_for = f' for="{_text(element_id)}"' if element_id else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>"


def _textarea(widget):
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _option(widget):
    return (
        f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                raise Unsupported
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    **dict.fromkeys(OPTION_TEMPLATES, _input_option),
    TEXTAREA: _textarea,
    SELECT: _select,
    SELECT_OPTION: _option,
}


class FormRenderer(TemplatesSetting):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writers = None

    def writers(self):
        """The Python writers, or none at all when the project overrides a widget template."""
        if self._writers is None:
            own = all(
                Path(self.get_template(name).origin.name).resolve() == DJANGO_TEMPLATES / name
                for name in (*WRITERS, *INCLUDED)
            )
            self._writers = WRITERS if own else {}
        return self._writers

    def render(self, template_name, context, request=None):
        writer = self.writers().get(template_name)
        if writer is not None and request is None:
            try:
                return writer(context["widget"])
            except Unsupported:
                pass
        return super().render(template_name, context, request=request)


def field_html(field, descriptions=None):
    """templates/components/field.html written in Python: one field with its label, help,
    error and described-by wiring, in the markup of the template but for whitespace between
    elements (tests/portal/test_form_renderer.py compares both). The report form has twenty
    such fields, each an included template: most of what its GET cost after the widgets."""
    element_id = conditional_escape(field.auto_id)
    errors = field.errors
    help_text = field.help_text
    parts = [f'<div class="field{" field--error" if errors else ""}" id="{element_id}-field">']
    optional = (
        ""
        if field.field.required
        else f' <span class="optional">{conditional_escape(gettext("(optional)"))}</span>'
    )
    help_html = (
        f'<p class="field__help" id="{element_id}_helptext">{conditional_escape(help_text)}</p>'
        if help_text
        else ""
    )
    error_html = (
        f'<p class="field__error" id="{element_id}_error">'
        + "".join(f"{conditional_escape(error)} " for error in errors)
        + "</p>"
        if errors
        else ""
    )
    input_type = getattr(field.field.widget, "input_type", None)
    if input_type == "radio":
        described = ""
        if help_text or errors:
            described = (
                f' aria-describedby="{f"{element_id}_helptext " if help_text else ""}'
                f'{f"{element_id}_error" if errors else ""}"'
            )
        parts.append(f"<fieldset{described}>")
        parts.append(
            f'<legend class="field__label">{conditional_escape(field.label)}{optional}</legend>'
        )
        parts.append(help_html + error_html)
        for radio in field:
            hint = descriptions.get(radio.data["value"]) if descriptions else None
            hint_html = (
                f'<span class="choice__hint">{conditional_escape(hint)}</span>' if hint else ""
            )
            label_for = conditional_escape(radio.id_for_label)
            parts.append(
                f'<div class="choice">{radio.tag()}<label for="{label_for}">'
                f"{conditional_escape(radio.choice_label)}{hint_html}</label></div>"
            )
        parts.append("</fieldset>")
    elif input_type == "checkbox":
        parts.append(error_html)
        label = conditional_escape(field.label)
        parts.append(f'<div class="choice">{field}<label for="{element_id}">{label}</label></div>')
    else:
        parts.append(
            f'<label class="field__label" for="{conditional_escape(field.id_for_label)}">'
            f"{conditional_escape(field.label)}{optional}</label>"
        )
        parts.append(help_html + error_html)
        parts.append(str(field))
    parts.append("</div>")
    return mark_safe("\n".join(parts))  # nosec B308 B703 # noqa: S308 (every value escaped above)


class FieldMarkupKeptUntilContentChanges:
    """A form mixin: the markup of its fields as an unbound form without initial values shows
    them (every first visit to the report form) is written once per language and kept in this
    process until the content changes (portal.pagecache.kept.until_content_changes: categories
    and regions are content), like the lists it is built from. Fields that carry something of
    one request (a captcha's key) are named in `per_request_fields` and always written afresh,
    as is every field of a form that was sent or given initial values (a poster's category, a
    round trip's answers)."""

    per_request_fields = frozenset()

    def field_markup(self, bound_field, descriptions=None):
        name = bound_field.name
        if self.is_bound or name in self.initial or name in self.per_request_fields:
            return field_html(bound_field, descriptions)
        kept = self.__dict__.get("_kept_markup")
        if kept is None:
            # One look at the content's generation for the whole form, not one per field
            # (with Redis, each is a round trip). The markup is written into the mapping of
            # the generation read before it, so it is never older than that generation.
            kept = self._kept_markup = until_content_changes(
                f"field-markup:{type(self).__qualname__}", dict
            )
        key = (bound_field.html_name, bool(descriptions))
        markup = kept.get(key)
        if markup is None:
            markup = kept[key] = field_html(bound_field, descriptions)
        return markup
