"""Forms that copy their fields one level deep (portal.forms.ShallowFieldCopies) keep each
instance's changes to itself, as Django's deep copy does."""

from django import forms

import pytest

from portal.forms import ShallowFieldCopies
from reporting.intake.forms import ReportForm


class Sample(ShallowFieldCopies, forms.Form):
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.TextInput(attrs={"tabindex": "-1"}), help_text="Say")
    both = forms.MultiValueField(fields=[forms.CharField(), forms.CharField()], required=False)


def test_an_instance_changes_only_its_own_fields():
    first, second = Sample(), Sample()
    first.fields["kind"].choices = [("c", "C")]
    first.fields["note"].help_text = "Other"
    first.fields["note"].widget.attrs.pop("tabindex")
    first.fields["note"].required = False

    for form in (second, Sample()):
        assert [value for value, _label in form.fields["kind"].choices] == ["a", "b"]
        assert [value for value, _label in form.fields["kind"].widget.choices] == ["a", "b"]
        assert form.fields["note"].help_text == "Say"
        assert form.fields["note"].widget.attrs == {"tabindex": "-1"}
        assert form.fields["note"].required
    assert Sample.base_fields["note"].widget.attrs == {"tabindex": "-1"}
    assert "base_fields" not in first.__dict__


@pytest.mark.django_db
def test_fields_with_state_of_their_own_are_deep_copied():
    first, second = Sample(), Sample()
    assert first.fields["both"].widget is not second.fields["both"].widget
    assert first.fields["both"].fields[0] is not second.fields["both"].fields[0]
    report, other = ReportForm(), ReportForm()
    assert report.fields["captcha"].widget is not other.fields["captcha"].widget
    assert report.fields["category"].queryset is not other.fields["category"].queryset


@pytest.mark.django_db
def test_a_report_form_still_validates_and_shows_its_errors():
    form = ReportForm({"what_happened": ""})
    assert not form.is_valid()
    assert "what_happened" in form.errors
    assert ReportForm().fields["what_happened"].widget.attrs["rows"] == 8
