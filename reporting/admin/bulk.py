"""Bulk actions from the queue: the clues chosen (ticked rows, or every clue matching the
queue's filter), the action and its arguments, a confirmation, then the job's page with its
progress and what was done and refused. Each clue is decided by the same rules as the single
action (reporting/lifecycle/bulk.py); these views only collect what the person asked for."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache

from reporting.admin.filters import ClueFilterSet
from reporting.intake.receipts import format_tracking_number, normalize_tracking_number
from reporting.jobs import bulk as bulk_jobs
from reporting.lifecycle import bulk
from reporting.lifecycle.scope import visible_clues
from reporting.models import BulkJob, Clue, Transfer, Unit

Action = BulkJob.Action
# The reasons a bulk "not accepted" gives; a duplicate is its own action, naming its clue.
REASONS = [(value, label) for value, label in Clue.NotAccepted.choices if value != "duplicate"]


# Ticked clues come a page of the queue at a time: more than this is no person's ticking
# (and below the request's own limit on fields, DATA_UPLOAD_MAX_NUMBER_FIELDS); more clues
# are chosen by the filter.
MOST_TICKED = 5_000


class SelectionError(Exception):
    pass


def _ids(values):
    """The ticked clues' keys as integers; anything else is a forged or broken request."""
    if len(values) > MOST_TICKED:
        raise SelectionError(
            _("Choose at most %(most)s clues at once.") % {"most": f"{MOST_TICKED:,}"}
        )
    ids = []
    for value in values:
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise SelectionError(_("The selection holds something that is not a clue."))
        ids.append(int(value))
    return list(dict.fromkeys(ids))


class Selection:
    """What the person chose: the ticked rows (`id`, repeated), or every clue matching the
    queue's filter (`all=1` and the queue's query string in `filter`), read from a request's
    GET or POST. The filter is applied as the queue applies it: ClueFilterSet over the
    clues this person may see."""

    def __init__(self, request, data):
        self.request = request
        self.everything = data.get("all") == "1"
        self.filter = data.get("filter", "")[:2000]
        if self.everything:
            self.raw_ids = []
        else:
            self.raw_ids = data.getlist("id")
        self.error = None
        try:
            self.ids = self._resolve()
        except SelectionError as error:
            self.ids, self.error = [], str(error)
        if self.error is None and not self.ids:
            self.error = _("Choose at least one clue: tick it in the queue.")

    def _resolve(self):
        if not self.everything:
            return _ids(self.raw_ids)
        filters = ClueFilterSet(
            QueryDict(self.filter),
            queryset=visible_clues(self.request.user),
            request=self.request,
        )
        if not filters.is_valid():
            raise SelectionError(_("The queue's filter is not valid: set it again."))
        ids = list(filters.qs.order_by("pk").values_list("pk", flat=True)[: bulk.MOST + 1])
        if len(ids) > bulk.MOST:
            raise SelectionError(
                _("More than %(most)s clues match this filter: narrow it first.")
                % {"most": f"{bulk.MOST:,}"}
            )
        return ids

    def hidden(self):
        """The selection again, as the next form sends it."""
        if self.everything:
            return [("all", "1"), ("filter", self.filter)]
        return [("id", str(pk)) for pk in self.ids]

    def queue_url(self):
        base = reverse("clues:index")
        return f"{base}?{self.filter}" if self.everything and self.filter else base


def _unit_label(unit):
    return "\u3000" * (unit.depth - 1) + unit.label


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), choices=Action.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason the reporters will see"),
        choices=[("", "—"), *REASONS],
        required=False,
    )
    duplicate_of = forms.CharField(
        label=gettext_lazy("Tracking number of the clue they duplicate"),
        max_length=30,
        required=False,
    )
    to_unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), required=False
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"), choices=Transfer.Mode.choices, required=False
    )
    deadline = forms.DateField(
        label=gettext_lazy("Verify by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note (or instructions for the unit)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # Every unit: whether a clue may go there is decided clue by clue, by the transfer's
        # own rule; a unit outside it is refused for each clue, and an unknown one here.
        self.fields["to_unit"].queryset = Unit.get_tree().select_related("region")
        self.fields["to_unit"].label_from_instance = _unit_label
        self.initial.setdefault("deadline", timezone.localdate() + timedelta(days=30))
        self.initial.setdefault("mode", Transfer.Mode.NORMAL)

    def clean_duplicate_of(self):
        value = self.cleaned_data["duplicate_of"]
        if not value.strip():
            return None
        number = normalize_tracking_number(value)
        # Only clues this person may see: the answer must not reveal which numbers exist.
        clue = number and visible_clues(self.user).filter(tracking_number=number).first()
        if not clue:
            raise forms.ValidationError(_("No clue has this tracking number."))
        return clue

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {
            Action.NOT_ACCEPTED: ["reason"],
            Action.DUPLICATE: ["duplicate_of"],
            Action.TRANSFER: ["to_unit", "mode", "deadline"],
        }.get(action, [])
        for name in required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This action needs it."))
        deadline = data.get("deadline")
        if action == Action.TRANSFER and deadline and deadline <= timezone.localdate():
            self.add_error("deadline", _("The deadline must be in the future."))
        return data

    def arguments(self):
        """The job's stored arguments: ids and ISO dates, as BulkJob.arguments keeps them."""
        data, action = self.cleaned_data, self.cleaned_data["action"]
        if action == Action.NOT_ACCEPTED:
            return {"reason": data["reason"], "note": data["note"]}
        if action == Action.DUPLICATE:
            return {"duplicate_of": data["duplicate_of"].pk, "note": data["note"]}
        if action == Action.TRANSFER:
            deadline = timezone.make_aware(
                timezone.datetime.combine(
                    data["deadline"], timezone.datetime.max.time().replace(microsecond=0)
                )
            )
            return {
                "to_unit": data["to_unit"].pk,
                "mode": data["mode"],
                "deadline": deadline.isoformat(),
                "note": data["note"],
            }
        return {}

    def summary(self):
        """The action in words, for the confirmation."""
        data, action = self.cleaned_data, self.cleaned_data["action"]
        if action == Action.NOT_ACCEPTED:
            return _("Not accepted: %(reason)s.") % {
                "reason": Clue.NotAccepted(data["reason"]).label
            }
        if action == Action.DUPLICATE:
            return _("Not accepted as duplicates of clue %(number)s.") % {
                "number": format_tracking_number(data["duplicate_of"].tracking_number)
            }
        if action == Action.TRANSFER:
            return _("Transferred to %(unit)s (%(mode)s), to be verified by %(date)s.") % {
                "unit": data["to_unit"].label,
                "mode": Transfer.Mode(data["mode"]).label,
                "date": data["deadline"].isoformat(),
            }
        return _("Marked as key clues.")


def _preset(request):
    """The form as a link may open it: ?action=duplicate&duplicate_of=<tracking number>
    (a repeat cluster's "triage this cluster")."""
    initial = {}
    if request.GET.get("action") in Action.values:
        initial["action"] = request.GET["action"]
    if request.GET.get("duplicate_of"):
        initial["duplicate_of"] = request.GET["duplicate_of"][:30]
    return initial


@never_cache
@permission_required("reporting.view_clue", raise_exception=True)
def bulk_action(request):
    """GET: the form (from the queue). POST: the confirmation, then (confirm=1) the job."""
    data = request.POST if request.method == "POST" else request.GET
    selection = Selection(request, data)
    if request.method == "POST":
        form = BulkActionForm(request.POST, user=request.user)
    else:
        form = BulkActionForm(user=request.user, initial=_preset(request))
    context = _page(
        _("Bulk action on clues"),
        {"selection": selection, "form": form, "count": len(selection.ids)},
    )
    if request.method != "POST" or selection.error or not form.is_valid():
        status = 400 if request.method == "POST" and selection.error else 200
        return TemplateResponse(request, "reporting/admin/bulk_form.html", context, status=status)
    if request.POST.get("confirm") != "1":
        context["summary"] = form.summary()
        return TemplateResponse(request, "reporting/admin/bulk_confirm.html", context)
    job = bulk_jobs.start(
        form.cleaned_data["action"], request.user, selection.ids, form.arguments()
    )
    return redirect("clues:bulk_job", pk=job.pk)


def _page(title, context):
    return {
        **context,
        "header_title": title,
        "page_title": title,
        "header_icon": "warning",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("clues:index"), "label": _("Clue queue")},
            {"url": "", "label": title},
        ],
    }


def _jobs_of(user):
    jobs = BulkJob.objects.select_related("actor")
    return jobs if user.is_superuser else jobs.filter(actor=user)


def _grouped(job, user):
    """The refusals by reason, each clue by its number: a link when this person may still
    see it. A clue not found is counted, never named."""
    keys = {refusal["clue"] for refusal in job.refusals if refusal["clue"]}
    visible = set(visible_clues(user).filter(pk__in=keys).values_list("pk", flat=True))
    groups = {}
    for refusal in job.refusals:
        group = groups.setdefault(refusal["reason"], {"reason": refusal["reason"], "clues": []})
        group.setdefault("unnamed", 0)
        if refusal["clue"] and refusal["tracking_number"]:
            group["clues"].append(
                {
                    "number": format_tracking_number(refusal["tracking_number"]),
                    "url": reverse("clues:inspect", args=[refusal["clue"]])
                    if refusal["clue"] in visible
                    else None,
                }
            )
        else:
            group["unnamed"] += 1
    return list(groups.values())


@never_cache
@permission_required("reporting.view_clue", raise_exception=True)
def bulk_job(request, pk):
    """A bulk action's progress, then what was done and refused: its asker's and the
    administrators' alone (anyone else: 404)."""
    job = get_object_or_404(_jobs_of(request.user), pk=pk)
    if not (request.user.is_superuser or job.actor_id == request.user.pk):
        raise Http404
    running = job.status in (BulkJob.Status.QUEUED, BulkJob.Status.RUNNING)
    refused = len(job.refusals)
    return TemplateResponse(
        request,
        "reporting/admin/bulk_job.html",
        _page(
            _("Bulk action: %(action)s") % {"action": job.get_action_display()},
            {
                "job": job,
                "running": running,
                "refused": refused,
                "groups": _grouped(job, request.user),
                "done_line": ngettext(
                    "%(count)s clue done.", "%(count)s clues done.", job.succeeded
                )
                % {"count": job.succeeded},
                "refused_line": ngettext(
                    "%(count)s clue refused.", "%(count)s clues refused.", refused
                )
                % {"count": refused},
            },
        ),
    )


@never_cache
@permission_required("reporting.view_clue", raise_exception=True)
def bulk_jobs_list(request):
    """This person's latest bulk actions (an administrator's: everyone's), to find a job's
    page again."""
    jobs = _jobs_of(request.user).order_by("-created_at", "-pk")[:50]
    return TemplateResponse(
        request,
        "reporting/admin/bulk_jobs.html",
        _page(_("Bulk actions"), {"jobs": jobs}),
    )
