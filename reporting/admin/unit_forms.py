from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from reporting.models import Unit


class UnitAdminForm(WagtailAdminModelForm):
    """Units live in a tree (treebeard): a new unit is placed under the chosen parent, or at
    the root when there is none. Moving a unit is not offered: clues and ledgers point at it."""

    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Leave empty only for the national office."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.get_tree()
        if self.instance.pk:
            del self.fields["parent"]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent is None and Unit.get_root_nodes().exists():
            raise forms.ValidationError(_("Choose the unit this one belongs to."))
        return parent

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit=commit)
        instance = self.instance
        parent = self.cleaned_data.get("parent")
        fields = {
            field: getattr(instance, field)
            for field in (
                "code",
                "kind",
                "region",
                "name",
                "name_en",
                "email",
                "webhook_url",
                "webhook_secret",
            )
        }
        self.instance = parent.add_child(**fields) if parent else Unit.add_root(**fields)
        return self.instance
