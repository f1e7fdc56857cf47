"""The review queue's filters. The unit list holds only units of clues this person may see,
so a verifier is not offered forty offices nationwide."""

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.models import Page

import django_filters

from reporting.lifecycle import protection
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


def _subjects(request):
    """The pages clues are about (the wanted notices sightings were sent from), by title.
    Only those of clues this person may see: a notice's title tells nothing, but its presence
    in the list would tell that somebody reported on it."""
    if request is None:
        return Page.objects.none()
    pks = cache.get_or_set(
        f"reporting:queue-subjects:{request.user.pk}",
        lambda: list(
            visible_clues(request.user)
            .exclude(subject=None)
            .values_list("subject", flat=True)
            .distinct()
        ),
        QUEUE_UNITS_SECONDS,
    )
    return Page.objects.filter(pk__in=pks).order_by("title")


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
    # The queue groups them by cluster when this is on (views.ClueIndexView.get_ordering).
    repeats = django_filters.BooleanFilter(
        label=_("In a repeat cluster"),
        field_name="cluster",
        lookup_expr="isnull",
        exclude=True,
        help_text=_("Clues linked as repeats, grouped by cluster, each cluster's lead first."),
    )
    # Sightings of one wanted notice, say: the link on a clue's page leads here.
    subject = django_filters.ModelChoiceFilter(
        label=_("About"), queryset=_subjects, empty_label=_("All")
    )
    # Only for those who handle protection requests, and only theirs: to anyone else neither
    # the filter nor its answer tells that a reporter asked (lifecycle/protection.py).
    protection = django_filters.BooleanFilter(
        label=_("Protection requested"),
        method="filter_protection",
        help_text=_("Clues whose reporter asked for protection and waits for an answer."),
    )
    # One cluster, by its lead's id: the link on a clue's page and in the queue's column.
    # Not a list to choose from; a lead this person may not see gives an empty queue, as an
    # unknown one does, so the answer tells nothing about clues out of scope.
    cluster = django_filters.CharFilter(
        label=_("Repeat cluster"),
        method="filter_cluster",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Clue
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or not self.request.user.has_perm(protection.PERMISSION):
            del self.filters["protection"]

    def filter_protection(self, queryset, name, value):
        if value is None:
            return queryset
        asked = [item.clue_id for item in protection.open_requests_for(self.request.user)]
        return queryset.filter(pk__in=asked) if value else queryset.exclude(pk__in=asked)

    def filter_cluster(self, queryset, name, value):
        # Anything but an id the database can hold (letters, a sign, past 64 bits) is an
        # unknown cluster: an empty queue, not the whole queue under an error.
        value = value.strip()
        if not value:
            return queryset
        digits = value.isascii() and value.isdigit() and len(value) <= 19
        if not digits or not 0 < int(value) < 2**63:
            return queryset.none()
        lead = int(value)
        if self.request is None or not visible_clues(self.request.user).filter(pk=lead).exists():
            return queryset.none()
        return queryset.filter(cluster_id=lead)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.exclude(status__in=Clue.ENDED)
            if value
            else queryset.filter(status__in=Clue.ENDED)
        )
