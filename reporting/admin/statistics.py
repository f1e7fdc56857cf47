"""The supervisors' statistics page: the figures of a unit's subtree for a period, compared
with the period before, broken down by child unit and by category, with a chart drawn here
as SVG (no chart service, readable in black and white) and every number in a table."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting import statistics
from reporting.jobs import statistics_snapshots as snapshots
from reporting.models import Category, Membership, Unit

Role = Membership.Role


def supervised_units(user):
    """The units whose subtree this person may see figures for."""
    if user.is_superuser:
        return Unit.objects.all()
    roots = [
        membership.unit.path
        for membership in user.memberships.filter(role=Role.SUPERVISOR).select_related("unit")
    ]
    if not roots:
        return Unit.objects.none()
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def supervises(user):
    """Whether this person supervises any unit: asked by every admin page's menu (statistics,
    API keys), so answered once per request, on the user the request carries."""
    if not hasattr(user, "_reporting_supervises"):
        user._reporting_supervises = supervised_units(user).exists()
    return user._reporting_supervises


class PeriodForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    # Set by the links of the standard periods and "count now", never by the form itself: a
    # preset in the form would override the dates a person types.
    preset = forms.CharField(required=False, widget=forms.HiddenInput)
    live = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, user, today):
        preset = data.get("preset")
        if preset in snapshots.PRESETS:
            start, end = snapshots.preset_dates(preset, today)
            data = {**data, "start": start.isoformat(), "end": end.isoformat()}
        super().__init__(data)
        units = supervised_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: (
            "\u3000" * (unit.depth - 1) + unit.label
        )

    def clean(self):
        data = super().clean()
        if data.get("preset") and data["preset"] not in snapshots.PRESETS:
            raise forms.ValidationError(_("Unknown period: choose one of the periods offered."))
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > 3660:
                raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data


def _bars(rows, value):
    """Horizontal bars as SVG: black bars on white, the number written beside each, so the
    chart survives a black-and-white printer and a screen reader reads the table instead."""
    height, width = 24, 240
    bars = []
    for index, (label, figures) in enumerate(rows):
        rate = value(figures)
        length = int(width * rate) if rate is not None else 0
        text = f"{rate:.0%}" if rate is not None else "—"
        y = index * height
        bars.append(
            f'<text x="0" y="{y + 16}" font-size="12">{_escape(label)}</text>'
            f'<rect x="130" y="{y + 4}" width="{length}" height="14" fill="#000"/>'
            f'<rect x="130" y="{y + 4}" width="{width}" height="14" fill="none" stroke="#000"/>'
            f'<text x="{136 + width}" y="{y + 16}" font-size="12">{text}</text>'
        )
    total = max(len(rows), 1) * height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="420" height="{total}" '
        f'viewBox="0 0 420 {total}" role="img" aria-hidden="true">{"".join(bars)}</svg>'
    )


def _escape(text):
    return escape(str(text)[:12])


def _as_of(moment, today):
    """When stored figures were counted: the time, with the day when it was not today."""
    local = timezone.localtime(moment)
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")


def _presets(unit, category, start, end, today):
    """The links to the standard periods, the one shown marked."""
    links = []
    for name, label in snapshots.PRESETS.items():
        query = {"unit": unit.pk, "preset": name}
        if category is not None:
            query["category"] = category.pk
        current = snapshots.preset_dates(name, today) == (start, end)
        links.append({"label": label, "url": "?" + urlencode(query), "current": current})
    return links


def statistics_view(request):
    units = supervised_units(request.user)
    if not units.exists():
        raise PermissionDenied
    today = timezone.localdate()
    # What the page shows first: this month so far, for the highest unit the person supervises.
    start, end = snapshots.preset_dates(snapshots.DEFAULT_PRESET, today)
    defaults = {
        "unit": units.order_by("depth", "path").first().pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    form = PeriodForm({**defaults, **request.GET.dict()}, user=request.user, today=today)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        unit, category, start, end = data["unit"], data["category"], data["start"], data["end"]
        kept = None
        if category is None and not data["live"]:
            kept = snapshots.stored(unit, start, end)
        if kept is not None:
            overview, counted_at = kept
            live_query = {"unit": unit.pk, "start": start, "end": end, "live": 1}
            context.update(
                as_of=_as_of(counted_at, today),
                refresh_minutes=snapshots.refresh_minutes(),
                live_url="?" + urlencode(live_query),
            )
        else:
            overview = statistics.overview(unit, *snapshots.bounds(start, end), category)
            context["counted_live"] = data["live"]
        current, previous = overview.current, overview.previous
        children = [(child.label, figures) for child, figures in overview.children]
        by_category = [(each.label, figures) for each, figures in overview.categories]
        by_channel = [(each.label, figures) for each, figures in overview.channels]
        context.update(
            unit=unit,
            current=current,
            previous=previous,
            children=children,
            by_category=by_category,
            by_channel=by_channel,
            chart=_bars(children, lambda figures: figures.verification_rate) if children else "",
            presets=_presets(unit, category, start, end, today),
            registered=statistics.registered_rows(overview.registered),
        )
    else:
        context["status"] = 400
    context.update(
        page_title=_("Statistics"),
        header_title=_("Statistics"),
        header_icon="table",
        breadcrumbs_items=[
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": _("Statistics")},
        ],
    )
    return TemplateResponse(
        request, "reporting/admin/statistics.html", context, status=context.pop("status", 200)
    )
