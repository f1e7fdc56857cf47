"""The review queue's filters. The unit list holds only units of clues this person may see,
so a verifier is not offered forty offices nationwide."""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

import django_filters

from reporting.lifecycle.scope import visible_clues
from reporting.models import Category, Clue, Unit

QUEUE_UNITS_SECONDS = 300


def _units(request):
    if request is None:
        return Unit.objects.none()
    # Finding those units reads through the person's clues (half a second at a million
    # clues); the queue is opened again and again, and a unit new to the list can wait.
    pks = cache.get_or_set(
        f"reporting:queue-units:{request.user.pk}",
        lambda: list(
            Unit.objects.filter(pk__in=visible_clues(request.user).values("unit")).values_list(
                "pk", flat=True
            )
        ),
        QUEUE_UNITS_SECONDS,
    )
    return Unit.objects.filter(pk__in=pks).order_by("path")


class ClueFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Clue.Status.choices, empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Clue.Channel.choices, empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All"))
    is_key = django_filters.BooleanFilter(label=_("Key clue"))
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), field_name="overdue_since", lookup_expr="isnull", exclude=True
    )
    needs_lookback = django_filters.BooleanFilter(label=_("Needs look-back"))
    open = django_filters.BooleanFilter(
        label=_("Still open"), method="filter_open", help_text=_("Not closed or not accepted.")
    )
    received = django_filters.DateFromToRangeFilter(
        label=_("Received"), field_name="created_at", widget=DateRangePickerWidget
    )
    entry_code = django_filters.CharFilter(
        label=_("Poster code"), lookup_expr="iexact", max_length=20
    )

    class Meta:
        model = Clue
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.exclude(status__in=Clue.ENDED)
            if value
            else queryset.filter(status__in=Clue.ENDED)
        )
