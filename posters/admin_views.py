"""Admin views of entry points and campaigns: their figures, the bulk import and the ZIP of
posters. The rules live in services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton

from fugitives.models import NoticePage
from portal.models import PortalSettings

from . import notices, services
from .forms import ImportForm, NoticePosterForm
from .models import Campaign, EntryPoint

MAX_ZIP_POSTERS = services.MAX_IMPORT_ROWS


class WithFigures:
    """Listings show each row's figures, computed for the whole page in a few queries."""

    figures_of = staticmethod(services.figures)

    def get_table(self, object_list):
        objects = list(object_list)
        figures = self.figures_of(objects)
        for item in objects:
            item.figures = figures[item.pk]
        return super().get_table(objects)


class EntryPointIndexView(WithFigures, IndexView):
    @property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                HeaderButton(
                    _("Import from CSV"), url=reverse("entry_points:import"), icon_name="upload"
                )
            )
        return buttons


class CampaignIndexView(WithFigures, IndexView):
    figures_of = staticmethod(services.campaign_figures)


class EntryPointInspectView(InspectView):
    template_name = "posters/admin/entry_point.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry_point = self.object
        context.update(
            entry_point=entry_point,
            short_url=services.short_url(entry_point),
            destination=services.destination(entry_point),
            figures=services.figures([entry_point])[entry_point.pk],
            by_day=services.daily_scans([entry_point]),
        )
        return context


class CampaignInspectView(InspectView):
    template_name = "posters/admin/campaign.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        entry_points = list(campaign.entry_points.all())
        figures = services.figures(entry_points)
        for entry_point in entry_points:
            entry_point.figures = figures[entry_point.pk]
        context.update(
            campaign=campaign,
            figures=services.campaign_figures([campaign])[campaign.pk],
            entry_points=entry_points,
            by_day=services.daily_scans(entry_points),
            zip_url=reverse("entry_points:posters_zip") + f"?campaign={campaign.pk}",
        )
        return context


def import_entry_points(request):
    if not request.user.has_perm("posters.add_entrypoint"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    created, errors = [], []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.import_entry_points(
                form.cleaned_data["file"].read(), campaign=form.cleaned_data["campaign"]
            )
        except services.ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(
                request,
                _("%(count)s entry points created.") % {"count": len(created)},
            )
    ids = "&".join(f"id={entry_point.pk}" for entry_point in created)
    return TemplateResponse(
        request,
        "posters/admin/import.html",
        {
            "form": form,
            "created": created,
            "errors": errors,
            "zip_url": f"{reverse('entry_points:posters_zip')}?{ids}" if created else "",
            "columns": services.IMPORT_COLUMNS,
            "page_title": gettext_lazy("Import entry points"),
            "header_title": gettext_lazy("Import entry points"),
            "header_icon": "upload",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("entry_points:index"), "label": _("Entry points")},
                {"url": "", "label": _("Import")},
            ],
        },
    )


@require_safe
def posters_zip(request):
    """The posters of a campaign (?campaign=) or of chosen entry points (?id=&id=)."""
    if not request.user.has_perm("posters.view_entrypoint"):
        raise PermissionDenied
    entry_points = EntryPoint.objects.select_related("campaign")
    if campaign_id := request.GET.get("campaign", ""):
        if not campaign_id.isdigit():
            return HttpResponse(_("Unknown campaign."), status=400, content_type="text/plain")
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        entry_points = entry_points.filter(campaign=campaign)
        name = f"posters-campaign-{campaign.pk}.zip"
    else:
        ids = [value for value in request.GET.getlist("id") if value.isdigit()]
        if not ids:
            return HttpResponse(
                _("Choose the entry points whose posters you want."),
                status=400,
                content_type="text/plain",
            )
        entry_points = entry_points.filter(pk__in=ids)
        name = "posters.zip"
    entry_points = list(entry_points[: MAX_ZIP_POSTERS + 1])
    if len(entry_points) > MAX_ZIP_POSTERS:
        return HttpResponse(
            _("At most %(limit)s posters in one file.") % {"limit": MAX_ZIP_POSTERS},
            status=400,
            content_type="text/plain",
        )
    # Imported on the first poster, not with the views: reportlab costs every worker about
    # 4 MB of memory, and few of them ever print a poster.
    from . import notice_pdf, pdf

    paper = pdf.paper_size(request.GET.get("paper"))
    hotline = PortalSettings.for_request(request).hotline

    def posters():
        for entry_point in entry_points:
            try:
                content = notice_pdf.any_poster(
                    entry_point,
                    short_url=services.short_url(entry_point),
                    hotline=hotline,
                    paper=paper,
                )
            except notices.NotPrintable:
                continue  # a notice no longer wanted is not printed again
            yield f"poster-{entry_point.code}-{paper}.pdf", content

    content = pdf.zip_of(posters())
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def notice_posters(request, page_id):
    """Posters of one wanted notice: those made so far, with their figures and downloads,
    and a form that makes one more (an entry point that opens the notice page)."""
    if not request.user.has_perm("posters.add_entrypoint"):
        raise PermissionDenied
    notice = get_object_or_404(NoticePage, pk=page_id)
    if not notice.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    form = NoticePosterForm(request.POST or None)
    refused, status = "", 200
    try:
        notices.check_printable(notice)
    except notices.NotPrintable as error:
        refused = str(error)
    if request.method == "POST" and form.is_valid():
        try:
            created = notices.create_entry_point(notice, **form.cleaned_data)
        except notices.NotPrintable as error:
            refused, status = str(error), 409
        else:
            messages.success(
                request,
                _("Entry point %(code)s created: download its poster below.")
                % {"code": created.code},
            )
            return redirect("entry_points:notice_posters", page_id=notice.pk)
    elif request.method == "POST":
        status = 400
    entry_points = list(notices.entry_points_of(notice))
    figures = services.figures(entry_points)
    for entry_point in entry_points:
        entry_point.figures = figures[entry_point.pk]
        entry_point.short_url = services.short_url(entry_point)
    title = _("Posters of “%(notice)s”") % {"notice": notice.title}
    return TemplateResponse(
        request,
        "posters/admin/notice_posters.html",
        {
            "notice": notice,
            "form": form,
            "refused": refused,
            "entry_points": entry_points,
            "page_title": title,
            "header_title": title,
            "header_icon": "link",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("entry_points:index"), "label": _("Entry points")},
                {"url": "", "label": notice.title},
            ],
        },
        status=status,
    )
