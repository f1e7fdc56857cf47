"""Import a law's official text from the admin: upload the file (or paste it), see what is
wrong with it line by line, or get a new draft revision to review and publish."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import importer
from .models import LawPage

MAX_BYTES = 2 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Official text (.txt)"),
        required=False,
        help_text=gettext_lazy("Plain text in UTF-8 or GB18030, as published."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("file"), data.get("text", "").strip()
        if upload is None and not pasted:
            raise forms.ValidationError(_("Choose a file or paste the text."))
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB."))
            try:
                pasted = importer.read_text(upload.read())
            except importer.ImportRefused as error:
                raise forms.ValidationError(str(error)) from None
        try:
            data["law_text"] = importer.parsed(pasted)
        except importer.ImportRefused as error:
            raise forms.ValidationError(str(error)) from None
        return data


def import_text(request, page_id):
    page = get_object_or_404(LawPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    lock = page.get_lock()
    if lock and lock.for_user(request.user):
        # Locked by someone else (or by a workflow): an import would replace the structure
        # they are working on.
        messages.error(request, lock.get_message(request.user))
        return redirect("wagtailadmin_pages:edit", page.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        revision = importer.import_into(page, form.cleaned_data["law_text"], user=request.user)
        if revision is None:
            messages.info(request, _("The page already holds this text; nothing changed."))
        else:
            messages.success(
                request,
                _("The text was imported as a draft. Review it, then publish."),
            )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return TemplateResponse(
        request,
        "law/admin/import.html",
        {
            "page": page,
            "form": form,
            "page_title": _("Import the law's text"),
            "header_title": _("Import the law's text"),
            "header_icon": "doc-full",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("wagtailadmin_pages:edit", args=[page.pk]), "label": page.title},
                {"url": "", "label": _("Import")},
            ],
        },
    )
