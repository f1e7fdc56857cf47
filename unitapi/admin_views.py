"""The units' API keys in the admin: supervisors (and superusers) list, create and revoke the
keys of the units they supervise. Another unit's key is 404; the secret is shown once, on the
page that answers its creation, and never stored."""

from datetime import datetime, time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wagtail.log_actions import log

from reporting.admin.statistics import supervised_units

from .forms import ApiKeyForm
from .models import ApiKey


def _units(user):
    units = supervised_units(user)
    if not units.exists():
        raise Http404
    return units


def _context(title, **context):
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "key",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("unitapi_keys"), "label": _("API keys")},
            {"url": "", "label": title},
        ],
        **context,
    }


@never_cache
def index(request):
    units = _units(request.user)
    keys = ApiKey.objects.filter(unit__in=units).select_related("unit", "created_by")
    context = _context(_("API keys"), keys=keys, now=timezone.now())
    context["breadcrumbs_items"].pop()
    return TemplateResponse(request, "unitapi/keys.html", context)


@never_cache
def add(request):
    units = _units(request.user)
    form = ApiKeyForm(request.POST or None, units=units, user=request.user)
    if request.method == "POST" and form.is_valid():
        expires = timezone.make_aware(datetime.combine(form.cleaned_data["expires_on"], time.max))
        row, key = ApiKey.issue(
            unit=form.cleaned_data["unit"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            created_by=request.user,
            expires_at=expires,
        )
        # Who gave which key, in Wagtail's audit log (Reports -> Site history) beside the row.
        log(instance=row, action="wagtail.create", user=request.user)
        # The only time the key exists in clear: this page, which never_cache keeps out of
        # every cache (no-store).
        response = TemplateResponse(
            request, "unitapi/key_created.html", _context(_("Key created"), key=key, row=row)
        )
        return response
    return TemplateResponse(
        request,
        "unitapi/key_form.html",
        _context(_("New API key"), form=form),
        status=400 if form.is_bound else 200,
    )


@require_POST
def revoke(request, pk):
    row = get_object_or_404(ApiKey.objects.filter(unit__in=_units(request.user)), pk=pk)
    if row.revoked_at is None:
        row.revoke(request.user)
        log(instance=row, action="unitapi.revoke", user=request.user)
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": row.name})
    return redirect("unitapi_keys")
