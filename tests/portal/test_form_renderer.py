"""The form renderer writes the plainest widgets in Python: its markup must be exactly what
Django's templates make, for every widget and value, or screen readers and the browser
suite would see a different form."""

import datetime
import re

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import pytest

from portal import formrenderer
from reporting.intake.forms import PartyFormSet, ReportForm

KEY = re.compile(r"[0-9a-f]{40}")
TRICKY = "a <b> & \"c\" 'd'"


class EveryWidget(forms.Form):
    text = forms.CharField(help_text="help", max_length=20)
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"step": 2}))
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    time = forms.TimeField(required=False)
    when = forms.DateTimeField(required=False)
    tel = forms.CharField(
        widget=forms.TextInput(attrs={"inputmode": "tel", "data-x": mark_safe("<i>")}),
        required=False,
    )
    search = forms.CharField(widget=forms.SearchInput, required=False)
    color = forms.CharField(widget=forms.ColorInput, required=False)
    agree = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(
        choices=[("", gettext_lazy("None")), ("a", TRICKY), ("b", mark_safe("<b>safe</b>"))],
        required=False,
    )
    grouped = forms.ChoiceField(
        choices=[("One", [("1", "one"), ("2", "two")]), ("3", "three")], required=False
    )
    numbers = forms.ChoiceField(choices=[(1, 1000), (2, 2.5)], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    radio = forms.ChoiceField(
        choices=[("r", "R"), ("s", TRICKY)], widget=forms.RadioSelect, required=False
    )
    boxes = forms.MultipleChoiceField(
        choices=[("p", "P"), ("q", "Q")], widget=forms.CheckboxSelectMultiple, required=False
    )
    file = forms.FileField(required=False)
    split = forms.SplitDateTimeField(required=False)


VALUES = [
    {},
    {
        "text": TRICKY,
        "number": "12",
        "email": "not an email",
        "password": TRICKY,
        "hidden": TRICKY,
        "date": "2024-02-30",
        "tel": "",
        "agree": "on",
        "body": TRICKY + "\n\nline",
        "kind": "a",
        "grouped": "2",
        "numbers": "1",
        "many": ["x", "y"],
        "radio": "s",
        "boxes": ["q"],
        "split_0": "2024-01-01",
        "split_1": "12:00",
    },
    {"kind": "b", "grouped": "3", "radio": "nope", "body": mark_safe("<b>")},
]
INITIAL = {
    "text": "x",
    "number": 1500,
    "date": datetime.date(2024, 5, 1),
    "when": datetime.datetime(2024, 5, 1, 12, 30),
    "kind": "",
    "agree": True,
}


def render_both(bound_fields):
    """Each widget's markup with the project's renderer and with Django's templates only
    (a captcha's key, new at each rendering, left out)."""
    fast = formrenderer.FormRenderer()
    plain = TemplatesSetting()
    pairs = []
    for field in bound_fields:
        field.form.renderer = fast
        ours = [str(field), *(w.tag() for w in field.subwidgets)]
        field.form.renderer = plain
        theirs = [str(field), *(w.tag() for w in field.subwidgets)]
        pairs.append(
            (field.name, *([KEY.sub("KEY", html) for html in each] for each in (ours, theirs)))
        )
    return pairs


@pytest.mark.parametrize("data", VALUES)
def test_every_widget_is_written_as_its_template_writes_it(data):
    assert formrenderer.FormRenderer().writers(), "the project overrides no widget template"
    for form in (EveryWidget(data), EveryWidget(initial=INITIAL)):
        form.is_valid() if form.is_bound else None
        for name, ours, theirs in render_both(form):
            assert ours == theirs, name


@pytest.mark.django_db
def test_the_report_form_is_written_as_its_templates_write_it():
    forms_to_check = [
        ReportForm(),
        ReportForm(initial={"region": "130000", "when": "date", "homepage": "x"}),
        ReportForm({"what_happened": TRICKY, "region": "130000", "reporter_phone": "x<"}),
    ]
    for form in forms_to_check:
        if form.is_bound:
            form.is_valid()
        for name, ours, theirs in render_both(form):
            assert ours == theirs, name
    parties = PartyFormSet({"party-TOTAL_FORMS": "1", "party-INITIAL_FORMS": "0"}, prefix="party")
    parties.is_valid()
    for party_form in [parties.management_form, *parties]:
        for name, ours, theirs in render_both(party_form):
            assert ours == theirs, name


def test_an_overridden_widget_template_is_used(settings, tmp_path):
    widgets = tmp_path / "django" / "forms" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "input.html").write_text('<input class="mine" name="{{ widget.name }}">')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    form = EveryWidget()
    form.renderer = formrenderer.FormRenderer()
    assert str(form["text"]) == '<input class="mine" name="text">'


def between_elements(html):
    """Markup with the whitespace between elements taken out, which no browser shows."""
    return re.sub(r">\s+<", "><", KEY.sub("KEY", html)).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_field_is_written_as_the_field_template_writes_it(language):
    from django.template.loader import render_to_string
    from django.utils import translation

    from reporting.intake.fields import category_options
    from reporting.models import Category

    Category.objects.create(
        slug="tricky", name=TRICKY, name_en=TRICKY, description=TRICKY, description_en=TRICKY
    )
    with translation.override(language):
        hints = {option.pk: option.hint for option in category_options()}
        hints[next(iter(hints))] = ""  # a category without a hint
        forms_to_check = [
            EveryWidget(),
            EveryWidget(VALUES[1]),
            EveryWidget(VALUES[2]),
            ReportForm(),
            ReportForm(initial={"region": "130000", "when": "date", "homepage": "x"}),
            ReportForm({"what_happened": TRICKY, "category": "0", "reporter_phone": "x<"}),
        ]
        parties = PartyFormSet({"party-TOTAL_FORMS": "1"}, prefix="party")
        parties.is_valid()
        for form in [*forms_to_check, *parties]:
            form.renderer = formrenderer.FormRenderer()
            if form.is_bound:
                form.is_valid()
            for field in form:
                for descriptions in (None, hints):
                    ours = formrenderer.field_html(field, descriptions)
                    theirs = render_to_string(
                        "components/field.html", {"field": field, "descriptions": descriptions}
                    )
                    assert between_elements(ours) == between_elements(theirs), field.name
