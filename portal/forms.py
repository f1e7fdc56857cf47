"""Form pieces the apps share."""

import copy

from django import forms


class ShallowFieldCopies:
    """A form mixin: each instance copies its fields one level deep, not deeply.

    Django deep-copies every field of a form for each instance (field, widget, lists of
    choices and every lazy label in them), so that one instance's changes never reach another.
    For the report form's 21 fields that was a tenth of the web worker's CPU per report
    (benchmarks/README.md). Here each field, its widget and the widget's attrs are copied, and
    nothing below them: a form using this mixin replaces what it changes on a field (its
    choices, help text) and changes nothing else of it in place, but its widget's attrs. Its
    validators, error messages and lists of choices are the class's own: appending to one,
    or setting a message, would reach every later form.

    Fields whose parts keep state of their own are deep-copied as Django does: fields of
    several values (a captcha's widget keeps its picture's key) and fields over a queryset
    (which keeps its results once read).
    """

    def __init__(self, *args, **kwargs):
        # BaseForm.__init__ deep-copies self.base_fields: shadowed for that moment only.
        self.base_fields = _OneLevelCopy(type(self).base_fields)
        try:
            super().__init__(*args, **kwargs)
        finally:
            del self.base_fields


class _OneLevelCopy:
    def __init__(self, fields):
        self.fields = fields

    def __deepcopy__(self, memo):
        copies = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.MultiValueField | forms.ModelChoiceField):
                copies[name] = copy.deepcopy(field, memo)
                continue
            field = copies[name] = _clone(field)
            widget = field.widget = _clone(field.widget)
            widget.attrs = widget.attrs.copy()
        return copies


def _clone(instance):
    """copy.copy for a field or a widget (neither has slots or a __copy__ of its own), at a
    tenth of the cost of copy's generic path."""
    clone = object.__new__(type(instance))
    clone.__dict__.update(instance.__dict__)
    return clone
