from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import Region

from . import services
from .models import DISPLAY_NAME_MAX_LENGTH


class AnswerForm(forms.Form):
    """One question's answer. The attempt's id comes back with it, so an answer from a tab of
    an earlier attempt is recognised instead of landing in the current one."""

    attempt = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, offered, multiple, question_text, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(option.key, option.text) for option in offered]
        if multiple:
            self.fields["answer"] = forms.MultipleChoiceField(
                label=question_text,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose every right answer."),
                error_messages={
                    "required": _("Choose at least one answer."),
                    "invalid_choice": _("That answer is not one of the options. Choose again."),
                },
            )
        else:
            self.fields["answer"] = forms.ChoiceField(
                label=question_text,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer."),
                    "invalid_choice": _("That answer is not one of the options. Choose again."),
                },
            )

    def chosen(self):
        value = self.cleaned_data["answer"]
        return value if isinstance(value, list) else [value]


class ClaimForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        # Longer than allowed, so that a long name is refused with a message rather than cut.
        max_length=200,
        help_text=_(
            "Up to %(limit)s characters: letters, digits and spaces. Printed on your "
            "certificate; no need for your real name."
        )
        % {"limit": DISPLAY_NAME_MAX_LENGTH},
        error_messages={
            "required": _("Enter a display name."),
            "max_length": _("A display name has at most %(limit)s characters.")
            % {"limit": DISPLAY_NAME_MAX_LENGTH},
        },
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "spellcheck": "false"}),
    )
    region = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Region.objects.filter(level=Region.Level.PROVINCE),
        to_field_name="code",
        required=False,
        empty_label=_("Not given"),
        help_text=_("Only to compare with others from your province on the leaderboard."),
    )
    on_leaderboard = forms.BooleanField(
        label=_("Show my display name and score on the leaderboard"), required=False
    )

    def __init__(self, *args, leaderboard=True, certificate=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        if not leaderboard:
            del self.fields["on_leaderboard"]
            del self.fields["region"]

    def clean_display_name(self):
        name = services.clean_display_name(self.cleaned_data["display_name"])
        if self.certificate:
            services.check_printable(name)
        return name
