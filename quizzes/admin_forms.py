"""Forms of the question bank's admin: a question's edit form (which keeps the bank's
rules, bank_rules.py), the spreadsheet import and an attempt's one editable field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import Panel
from wagtail.models import Locale

from law.models import LawPage

from .bank_rules import citation_problems, option_problems
from .chapters import chapter_of
from .importing import MAX_BYTES
from .models import Attempt, Question


class QuestionForm(WagtailAdminModelForm):
    """Refuses a question the bank's rules refuse, drafts included: a draft is published
    later by a moderator's approval, which does not run this form again."""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        options = self.formsets.get("options")
        if kind and options is not None and options.is_valid():
            given = [
                (form.cleaned_data.get("text", ""), bool(form.cleaned_data.get("correct")))
                for form in options.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            for problem in option_problems(kind, given):
                self.add_error(None, problem)
        law, article = cleaned.get("law"), cleaned.get("article")
        paragraph, item = cleaned.get("paragraph"), cleaned.get("item")
        # An item without its paragraph is the model's own rule (Question.clean).
        if law and article and not (item is not None and paragraph is None):
            cited = Question(law=law, article=article, paragraph=paragraph, item=item)
            for problem in citation_problems([cited]).get(0, []):
                self.add_error("article", problem)
        return cleaned


class CitedChapterPanel(Panel):
    """Read only: the chapter of the cited article, as the live law has it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "quizzes/admin/cited_chapter_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            context["chapter"] = chapter_of(instance) if instance and instance.pk else ""
            context["saved"] = bool(instance and instance.pk)
            return context


def _locale_choices():
    return [(locale.pk, locale.get_display_name()) for locale in Locale.objects.all()]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8 or GB18030) or XLSX, at most 1 MB and 1000 questions."),
    )
    locale = forms.TypedChoiceField(
        label=_("Language of the questions"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty: the site's default language (Chinese)."),
    )
    law = forms.ModelChoiceField(
        label=_("Law"),
        queryset=LawPage.objects.none(),
        required=False,
        help_text=_(
            "The law whose articles the questions cite. Empty: the only law in the language."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish them now"),
        required=False,
        help_text=_("Otherwise they are drafts, to be reviewed and published one by one."),
    )

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locale"].choices = _locale_choices()
        default = Locale.get_default()
        self.fields["locale"].initial = default.pk if default else None
        self.fields["law"].queryset = LawPage.objects.order_by("title")
        if not can_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB. Split it into several files.")
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if "locale" not in cleaned:
            return cleaned  # refused by the field
        locale_id, law = cleaned["locale"], cleaned.get("law")
        locale = Locale.objects.filter(pk=locale_id).first() if locale_id else None
        cleaned["locale"] = locale = locale or Locale.get_default()
        if law is None:
            laws = list(LawPage.objects.filter(locale=locale)[:2])
            if len(laws) != 1:
                self.add_error(
                    "law",
                    _("Choose the law: this language has %(count)s laws.")
                    % {"count": LawPage.objects.filter(locale=locale).count()},
                )
                return cleaned
            cleaned["law"] = laws[0]
        elif law.locale_id != locale.pk:
            self.add_error("law", _("This law is in another language than the questions."))
        return cleaned


class AttemptForm(forms.ModelForm):
    """Only whether the entry is hidden: what the participant gave is theirs."""

    class Meta:
        model = Attempt
        fields = ["hidden"]
