from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.lifecycle.scope import memberships
from reporting.models import Membership

from .models import DEFAULT_LIFETIME, MAX_LIFETIME, ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses it, so you know what stops when you revoke it."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    scopes = forms.MultipleChoiceField(
        label=_("What the key may do"),
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ],
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("A year from today at the latest."),
    )

    def __init__(self, *args, units, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if not user.has_perm("reporting.reveal_reporter"):
            # A key may not see more than the person who gives it.
            self.fields["scopes"].choices = [
                choice for choice in ApiKey.Scope.choices if choice[0] != ApiKey.Scope.IDENTITY
            ]
        self.fields["expires_on"].initial = timezone.localdate() + DEFAULT_LIFETIME
        # A key that acts signs conclusions in the names of the unit's signatories: only a
        # supervisor of that unit itself gives one, not one of a unit above it.
        self.own_units = None if user.is_superuser else {
            membership.unit_id
            for membership in memberships(user)
            if membership.role == Membership.Role.SUPERVISOR
        }  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        unit, scopes = cleaned.get("unit"), cleaned.get("scopes") or []
        above = unit is not None and self.own_units is not None and unit.pk not in self.own_units
        if above and ApiKey.Scope.ACT in scopes:
            self.add_error(
                "scopes",
                _("Only a supervisor of %(unit)s itself may give a key that acts on its "
                  "clues.") % {"unit": unit.label},
            )  # fmt: skip
        return cleaned

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if day > today + MAX_LIFETIME - timedelta(days=1):
            raise forms.ValidationError(_("A key lasts a year at most."))
        return day
