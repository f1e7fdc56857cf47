"""The supervisors' statistics page: the figures of a unit's subtree for a period, compared
with the period before, broken down by child unit and by category, with a chart drawn here
as SVG (no chart service, readable in black and white) and every number in a table."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import statistics
from .models import Category, Membership, Unit

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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = supervised_units(user).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: (
            "\u3000" * (unit.depth - 1) + unit.label
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > 3660:
                raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data


def _bounds(start, end):
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


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


def statistics_view(request):
    units = supervised_units(request.user)
    if not units.exists():
        raise PermissionDenied
    today = timezone.localdate()
    # What the page shows first: this month so far, for the highest unit the person supervises.
    defaults = {
        "unit": units.order_by("depth", "path").first().pk,
        "start": today.replace(day=1).isoformat(),
        "end": today.isoformat(),
    }
    form = PeriodForm({**defaults, **request.GET.dict()}, user=request.user)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        unit, category = data["unit"], data["category"]
        start, end = _bounds(data["start"], data["end"])
        overview = statistics.overview(unit, start, end, category)
        current, previous = overview.current, overview.previous
        children = [(child.label, figures) for child, figures in overview.children]
        by_category = [(each.label, figures) for each, figures in overview.categories]
        context.update(
            unit=unit,
            current=current,
            previous=previous,
            children=children,
            by_category=by_category,
            chart=_bars(children, lambda figures: figures.verification_rate) if children else "",
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
