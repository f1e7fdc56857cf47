from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign
from .services import MAX_IMPORT_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One row per poster. The first row names the columns: name and location are "
            "required; campaign, category and region (division code) are optional."
        ),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        help_text=_("For rows that name no campaign."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB. Split it into several files.")
            )
        return upload


class NoticePosterForm(forms.Form):
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        help_text=_(
            "Where this poster will hang. Printed in small print, so staff can tell posters "
            "apart; one entry point per poster, so each one's scans and sightings are counted."
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("For the list of entry points; the person's name when left empty."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.all(), required=False
    )
