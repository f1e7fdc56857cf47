"""Forms of the staff actions on a clue, named by the transitions table; the rules they
feed live there and in review.py."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.lifecycle import destinations
from reporting.lifecycle.scope import visible_clues
from reporting.models import Clue, Conclusion, Transfer, Unit


def _box(rows=4):
    # Several action forms share one page: short boxes keep them all in view.
    return forms.Textarea(attrs={"rows": rows})


class ActionForm(forms.Form):
    """Every action carries the newest decision on the clue the person saw (see
    transitions.last_decision), so acting on an out-of-date page is refused instead of
    overriding what someone else just decided."""

    seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, clue=None, **kwargs):
        self.user = user
        self.clue = clue
        super().__init__(*args, **kwargs)

    def arguments(self):
        """The service's keyword arguments: the fields, under the service's names."""
        return {name: value for name, value in self.cleaned_data.items() if name != "seen"}


class AcceptForm(ActionForm):
    is_key = forms.BooleanField(label=_("Key clue (priority)"), required=False)


class RejectForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Reason the reporter will see"), choices=Clue.NotAccepted.choices
    )
    duplicate_of = forms.CharField(
        label=_("Tracking number of the clue it duplicates"), max_length=20, required=False
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=_box(3))

    def clean_duplicate_of(self):
        number = "".join(self.cleaned_data["duplicate_of"].split())
        if not number:
            return None
        # Only clues this person may see: the answer must not reveal which numbers exist.
        clue = visible_clues(self.user).filter(tracking_number=number).first()
        if clue is None:
            raise forms.ValidationError(_("No clue has this tracking number."))
        return clue


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    mode = forms.ChoiceField(label=_("Mode"), choices=Transfer.Mode.choices)
    deadline = forms.DateField(
        label=_("Verify by"),
        # A date input takes ISO dates only, whatever the language's own date format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Instructions"), required=False, widget=_box(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the units the rules let this person send this clue to: none is offered that
        # the transfer would refuse, and a forged choice fails here before it gets there.
        if self.clue is not None:
            self.fields["to_unit"].queryset = destinations.offered(self.clue, self.user)
        self.fields["to_unit"].label_from_instance = lambda unit: (
            "\u3000" * (unit.depth - 1) + unit.label
        )
        self.initial.setdefault("deadline", timezone.localdate() + timedelta(days=30))

    def clean_deadline(self):
        day = self.cleaned_data["deadline"]
        return timezone.make_aware(
            timezone.datetime.combine(day, timezone.datetime.max.time().replace(microsecond=0))
        )


class NoteForm(ActionForm):
    note = forms.CharField(label=_("What was done"), widget=_box(), max_length=10_000)


class ConclusionForm(ActionForm):
    finding = forms.ChoiceField(label=_("Finding"), choices=Conclusion.Finding.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Conclusion.Outcome.choices)
    text = forms.CharField(label=_("Conclusion"), widget=_box(), max_length=20_000)


class FeedbackForm(ActionForm):
    text = forms.CharField(
        label=_("What the reporter will be told"),
        widget=_box(),
        max_length=5_000,
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=_box(), max_length=2_000)


class QuestionForm(ActionForm):
    body = forms.CharField(
        label=_("Question for the reporter"),
        widget=_box(),
        max_length=5_000,
    )


class EmptyForm(ActionForm):
    pass


class SignForm(ActionForm):
    conclusion = forms.IntegerField(widget=forms.HiddenInput)

    def arguments(self):
        # The conclusion on the signatory's page: one redrafted since is not signed instead.
        return {"conclusion_id": self.cleaned_data["conclusion"]}
