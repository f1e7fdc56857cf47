from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from . import passwords


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form without "Remember me": a staff session never outlives the
    browser (accounts.sessions)."""

    remember = None


class PasswordResetForm(WagtailPasswordResetForm):
    """Wagtail's form, but the mail goes through the worker (accounts.passwords): the answer
    is the same, in the same time, for every address."""

    def save(self, request=None, **options):
        # The view's template and domain options are not used: the worker renders Wagtail's
        # templates on the portal's own address.
        passwords.request_reset(request, self.cleaned_data["email"], self.get_users)

    def send_mail(self, *args, **kwargs):
        raise NotImplementedError("The reset mail is sent by the worker (accounts.passwords).")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": "",
            }
        ),
    )


class AuthenticatorCodeForm(CodeForm):
    """Six digits only, so phones show the number pad."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code from the app")
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "maxlength": "7"})
