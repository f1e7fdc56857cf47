"""Staff views of clues in the Wagtail admin. Every view starts from scope.visible_clues, so a
clue outside a person's scope is a 404 whatever URL they type; every change goes through
review.py."""

import datetime
import io

from django.conf import settings
from django.contrib import messages
from django.db.models import Case, Count, F, Max, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets import HeaderButton

from portal.exports import PortalSpreadsheetExport
from reporting.admin.columns import WIDE_ONLY, TrackingNumberColumn
from reporting.admin.intake import held_codes, may_enter_clues
from reporting.admin.paging import CappedPaginator
from reporting.evidence import crypto
from reporting.intake.receipts import format_tracking_number
from reporting.lifecycle import ledger, protection, reporter, review, transitions
from reporting.lifecycle.forms import ReasonForm
from reporting.lifecycle.scope import visible_clues
from reporting.models import Clue, Delivery, LedgerEntry, Membership

Role, S = Membership.Role, Clue.Status
# Views are the supervisors' panel; protection entries are on the request's own page, which
# only those it is routed to open: the clue's page is read by the local unit too.
HIDDEN_FROM_CLUE_PAGE = (LedgerEntry.Action.VIEWED, *protection.LEDGER_ACTIONS)


def _local(value):
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _yes_no(value):
    return _("yes") if value else _("no")


def _protection_requests(clue, user):
    """The clue's protection requests, for those they are routed to only: the local unit that
    reads this page may be the very network the reporter fears. The routing (two queries) is
    worked out only when the clue has a request."""
    if not user.has_perm(protection.PERMISSION):
        return []
    asked = list(clue.protection_requests.order_by("-opened_at"))
    return asked if asked and protection.may_handle(user, clue) else []


class ClueIndexView(PortalSpreadsheetExport, IndexView):
    paginator_class = CappedPaginator
    results_template_name = "reporting/admin/capped_index_results.html"
    # Exports in the reader's language and time zone: the day a clue came in is the day on
    # the screen, and statuses are words, not codes.
    custom_field_preprocess = {
        "status": {fmt: lambda value: str(Clue.Status(value).label) for fmt in ("csv", "xlsx")},
        "channel": {fmt: lambda value: str(Clue.Channel(value).label) for fmt in ("csv", "xlsx")},
        "is_key": dict.fromkeys(("csv", "xlsx"), _yes_no),
    }
    custom_value_preprocess = {
        datetime.datetime: {
            "csv": lambda value: _local(value).strftime("%Y-%m-%d %H:%M"),
            "xlsx": lambda value: timezone.make_naive(_local(value)),
        },
        (datetime.date, datetime.time): {"xlsx": None},
    }

    # The columns a phone keeps (static/css/admin-clues.css): the rest give way to them.
    narrow_columns = {"tracking_number", "status", "created_at"}

    # The queue of repeats, grouped: the members of a cluster together, its lead first, then
    # its repeats as they came in; the newest cluster (by its lead's id) on top. Read off the
    # partial index clue_in_cluster, which holds exactly the clues such a queue lists. By the
    # id, not "-cluster", which would sort by the lead's own ordering through a join.
    GROUPED = ("-cluster_id", "created_at", "pk")

    def _get_title_column(self, field_name, column_class=TrackingNumberColumn, **kwargs):
        return super()._get_title_column(field_name, column_class, **kwargs)

    @cached_property
    def columns(self):
        columns = super().columns
        if not self.listing_repeats():
            # The cluster column only where clusters are listed: elsewhere it is a column of
            # dashes that pushes the due dates off a laptop's screen.
            columns = [column for column in columns if column.name != "cluster"]
        if not self.request.user.has_perm(protection.PERMISSION):
            columns = [column for column in columns if column.name != "protection"]
        for column in columns:
            if (column.sort_key or column.name) not in self.narrow_columns:
                column.classname = " ".join(filter(None, [column.classname, WIDE_ONLY]))
        return columns

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if may_enter_clues(self.request.user):
            # A call, letter, visit or referral taken by intake joins the same queue.
            url = reverse("clues:enter")
            buttons.append(HeaderButton(_("Enter a clue"), url=url, icon_name="plus"))
        if reporter.takes_follow_ups(self.request.user):
            # A reporter who rings again about a clue they gave earlier.
            buttons.append(
                HeaderButton(
                    _("Record a follow-up"), url=reverse("clues:follow_up"), icon_name="comment"
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort_notice"] = self.sort_notice()
        # The bulk actions (reporting/admin/bulk.py) take the filter as it stands, to apply
        # it again themselves; the search is left out, as they do not apply it.
        query = self.request.GET.copy()
        for name in ("p", "ordering", "q", "export"):
            query.pop(name, None)
        context.update(bulk_url=reverse("clues:bulk"), bulk_filter=query.urlencode())
        return context

    def get_ordering(self):
        """Grouped by cluster when the queue lists repeats (the repeat filter on, or one
        cluster), unless a column heading was chosen."""
        if not self.is_explicitly_ordered and self.listing_repeats():
            return self.GROUPED
        return super().get_ordering()

    def listing_repeats(self):
        if not self.filters or not self.filters.is_valid():
            return False
        data = self.filters.form.cleaned_data
        return data.get("repeats") is True or bool((data.get("cluster") or "").strip())

    def get_table(self, object_list):
        rows = list(object_list)
        self.summarize_clusters(rows)
        self.mark_protection(rows)
        return super().get_table(rows)

    def mark_protection(self, rows):
        """The open protection requests this person handles, on their rows: no query beyond
        those that list the requests (lifecycle/protection.py)."""
        now = timezone.now()
        asked = {item.clue_id: item for item in protection.open_requests_for(self.request.user)}
        for row in rows:
            item = asked.get(row.pk)
            row.protection_marker = item and {
                "overdue": item.is_overdue(now),
                "url": reverse("protection_request", args=[item.pk]),
            }

    def summarize_clusters(self, rows):
        """Each row's cluster as the cluster column shows it, for the whole page in one
        query: the lead's number, and the size counted among the clues this person may see
        (a count of all would tell of clues in other offices; the lead is named only when
        it is one of theirs, as the clue's page does)."""
        leads = {row.cluster_id for row in rows if row.cluster_id}
        summaries = {}
        if leads:
            found = (
                visible_clues(self.request.user, Clue.objects.filter(cluster_id__in=leads))
                .order_by()
                .values("cluster_id")
                .annotate(
                    size=Count("pk"),
                    lead_number=Max(Case(When(pk=F("cluster_id"), then="tracking_number"))),
                )
            )
            for item in found:
                lead, number = item["cluster_id"], item["lead_number"]
                summaries[lead] = {
                    "size": item["size"],
                    "number": format_tracking_number(number) if number else "",
                    "url": f"{self.index_url}?{urlencode({'cluster': lead})}" if number else "",
                }
        for row in rows:
            row.cluster_summary = summaries.get(row.cluster_id)

    def sort_notice(self):
        """The order of the rows in words, above the table: the heading's arrow alone is
        easy to miss and says nothing to a screen reader."""
        if self.ordering == self.GROUPED:
            return _(
                "Grouped by repeat cluster, newest cluster first: each cluster's lead clue, "
                "then its repeats in the order they came in. Select a column heading to sort "
                "by it instead."
            )
        ordering = self.ordering or ""
        if ordering == "-created_at":
            return _("Newest clues first. Select a column heading to sort by it.")
        name = ordering.lstrip("-")
        label = next((column.label for column in self.columns if column.sort_key == name), None)
        if label is None:
            return ""
        if ordering.startswith("-"):
            return _("Sorted by “%(column)s”, descending.") % {"column": label}
        return _("Sorted by “%(column)s”, ascending.") % {"column": label}

    def get_base_queryset(self):
        queryset = visible_clues(self.request.user, super().get_base_queryset())
        return queryset.select_related("category", "region", "unit")

    def search_queryset(self, queryset):
        """A tracking number as printed on the receipt (with spaces) finds its clue."""
        compact = "".join((self.search_query or "").split())
        if compact.isdigit():
            return queryset.filter(tracking_number__startswith=compact)
        return super().search_queryset(queryset)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """An export leaves a ledger entry on every clue it contains."""
        ledger.record_export(queryset, self.request.user, spreadsheet_format)
        return super().as_spreadsheet(queryset, spreadsheet_format)


def _pending_signers(conclusion, signed):
    """The unit's signatories who have not signed the conclusion yet, while it needs them."""
    if conclusion is None or conclusion.stood_at:
        return []
    return [
        membership.user
        for membership in conclusion.unit.memberships.filter(role=Role.SIGNATORY)
        .exclude(user__in=signed)
        .select_related("user")
    ]


def _cluster_summary(clue, user):
    """The clue's repeat cluster as its page shows it: how many of its clues this person may
    see, and its lead with the way to the cluster's queue when the lead is one of them."""
    if clue.cluster_id is None:
        return None
    found = visible_clues(user, Clue.objects.filter(cluster_id=clue.cluster_id)).aggregate(
        size=Count("pk"),
        lead_number=Max(Case(When(pk=F("cluster_id"), then="tracking_number"))),
    )
    number = found["lead_number"]
    others = []
    if number and found["size"] > 1:
        # The bulk form, preset to mark every other clue of the cluster this person may see
        # a duplicate of the lead: the lead is left out, as it cannot duplicate itself.
        others = visible_clues(
            user, Clue.objects.filter(cluster_id=clue.cluster_id).exclude(pk=clue.cluster_id)
        ).values_list("pk", flat=True)
    bulk_query = [("action", "duplicate"), ("duplicate_of", number)]
    return {
        "size": found["size"],
        "is_lead": clue.cluster_id == clue.pk,
        "tracking_number": number or "",
        "number": format_tracking_number(number) if number else "",
        "lead": clue.cluster_id if number else None,
        "url": f"{reverse('clues:index')}?{urlencode({'cluster': clue.cluster_id})}"
        if number
        else "",
        "bulk_url": f"{reverse('clues:bulk')}?"
        + urlencode([*bulk_query, *(("id", pk) for pk in others)])
        if others
        else "",
    }


class ClueDetailView(InspectView):
    template_name = "reporting/admin/clue_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(visible_clues(self.request.user), pk=self.pk)

    def get(self, request, *args, **kwargs):
        # Recorded before anything is read for the page: should the entry fail, the clue is
        # not shown, and a supervisor's panel includes this very view.
        ledger.record_view(self.object, request.user, "inspect")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clue, user = self.object, self.request.user
        roles = transitions.roles_of(user, clue)
        conclusion = review.current_conclusion(clue)
        initial = {
            "seen": transitions.last_decision(clue),
            "conclusion": conclusion.pk if conclusion else None,
        }
        signers = (
            list(conclusion.signatures.values_list("signer", flat=True)) if conclusion else []
        )
        # Not offered where it could only be refused: signing with nothing to sign or a
        # second time, redrafting a conclusion that has signatures.
        pointless = set()
        if conclusion is None or user.pk in signers:
            pointless.add("sign")
        if signers:
            pointless.add("conclude")
        if clue.is_key:
            pointless.add("mark_key")
        draft = self.request.session.pop(DRAFT_SESSION_KEY, None)
        forms = []
        for name, transition in transitions.TRANSITIONS.items():
            if name in pointless or not transition.offered(roles, clue.status):
                continue
            form_class = transition.form
            if draft and draft["clue"] == clue.pk and draft["action"] == name:
                # What was typed into a refused action comes back, with its errors.
                data = {**draft["data"], f"{name}-seen": initial["seen"]}
                if initial["conclusion"]:
                    data[f"{name}-conclusion"] = initial["conclusion"]
                form = form_class(data, prefix=name, user=user, clue=clue)
                form.is_valid()
            else:
                form = form_class(prefix=name, user=user, clue=clue, initial=initial)
            forms.append((name, transition.label, form))
        entries = list(
            clue.ledger.exclude(action__in=HIDDEN_FROM_CLUE_PAGE).select_related("actor", "unit")
        )
        context.update(
            clue=clue,
            # Grouped as the reporter's receipt prints it, as in the queue.
            tracking_number=format_tracking_number(clue.tracking_number),
            roles=sorted(Role(role).label for role in roles),
            parties=clue.parties.all(),
            evidence=clue.evidence.all(),
            # Who looked at the clue is for its supervisors alone (the panel below).
            ledger=entries,
            # A clue staff took by phone, letter, visit or referral names who entered it.
            entered_by=next(
                (e.actor for e in entries if e.action == LedgerEntry.Action.SUBMITTED), None
            ),
            viewers=ledger.viewers(clue) if Role.SUPERVISOR in roles else None,
            thread=clue.messages.select_related("author"),
            transfers=clue.transfers.select_related("to_unit", "from_unit"),
            conclusion=conclusion or clue.conclusions.last(),
            deliveries=Delivery.objects.filter(transfer__clue=clue)
            .select_related("transfer__to_unit")
            .prefetch_related("attempt_log"),
            # Only related clues this person may see: scope applies to links too.
            related=visible_clues(user, clue.related.all()),
            cluster=_cluster_summary(clue, user),
            action_forms=forms,
            pending_signers=_pending_signers(conclusion, signers),
            can_take_follow_up=bool(roles & reporter.FOLLOW_UP_TAKERS) and not clue.is_erased,
            protection_requests=_protection_requests(clue, user),
            can_reveal=clue.reporter_sealed is not None
            and user.has_perm("reporting.reveal_reporter"),
            can_download_originals=user.has_perm("reporting.download_original_evidence"),
            revealed=kwargs.get("revealed"),
            retention_days=settings.CLUE_RETENTION_DAYS,
            # The receipt of a clue this person just entered, still held for its reply slip.
            reply_slip_held=held_codes(self.request, clue) is not None,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Reveal a named reporter: shown in this response only, recorded in the ledger."""
        form = ReasonForm(request.POST, prefix="reveal")
        if not form.is_valid():
            messages.error(request, _("Give the reason you need the reporter's identity."))
            return redirect("clues:inspect", pk=self.object.pk)
        try:
            details = review.reveal_reporter(
                self.object, request.user, reason=form.cleaned_data["reason"]
            )
        except transitions.TransitionError as error:
            messages.error(request, str(error))
            return redirect("clues:inspect", pk=self.object.pk)
        ledger.record_view(self.object, request.user, "inspect")
        response = self.render_to_response(self.get_context_data(revealed=details))
        response["Cache-Control"] = "no-store"
        return response


# A refused action's typed text, kept for the one page view that follows, so a long note is
# not lost to a stale page or a wrong field.
DRAFT_SESSION_KEY = "reporting:action-draft"


def _keep_draft(request, clue, action):
    prefix = f"{action}-"
    request.session[DRAFT_SESSION_KEY] = {
        "clue": clue.pk,
        "action": action,
        "data": {
            key: value
            for key, value in request.POST.items()
            if key.startswith(prefix) and not key.endswith(("-seen", "-conclusion"))
        },
    }


@require_POST
def clue_action(request, pk, action):
    clue = get_object_or_404(visible_clues(request.user), pk=pk)
    if action not in transitions.TRANSITIONS:
        raise Http404
    transition = transitions.TRANSITIONS[action]
    form = transition.form(request.POST, prefix=action, user=request.user, clue=clue)
    if clue.status not in transition.states:
        # Said before the form's errors: a form for an action the state does not offer is
        # not on the page, so its missing fields would explain nothing.
        messages.error(
            request,
            _("“%(action)s” is not possible while the clue is “%(status)s”.")
            % {"action": transition.label, "status": clue.get_status_display()},
        )
    elif not transition.offered(transitions.roles_of(request.user, clue), clue.status):
        messages.error(request, _("Your role on this clue does not allow this."))
    elif not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        _keep_draft(request, clue, action)
    else:
        try:
            transitions.perform(
                action, clue, request.user, form.arguments(), seen=form.cleaned_data["seen"]
            )
        except transitions.TransitionError as error:
            messages.error(request, str(error))
            _keep_draft(request, clue, action)
        else:
            done = Clue.objects.select_related("unit").get(pk=clue.pk)
            messages.success(request, transition.done_message(done))
            if not visible_clues(request.user).filter(pk=clue.pk).exists():
                # Passed on beyond this person's scope (a transfer away): back to the queue.
                return redirect("clues:index")
    return redirect("clues:inspect", pk=clue.pk)


@never_cache
def download_evidence(request, pk, evidence_id, original=False):
    clue = get_object_or_404(visible_clues(request.user), pk=pk)
    item = get_object_or_404(clue.evidence, pk=evidence_id)
    if not item.file:
        messages.error(request, _("This file was erased with the clue's content."))
        return redirect("clues:inspect", pk=clue.pk)
    if original and not (
        item.original_file and request.user.has_perm("reporting.download_original_evidence")
    ):
        raise Http404
    ledger.record(
        clue,
        LedgerEntry.Action.EVIDENCE_DOWNLOADED,
        actor=request.user,
        unit=clue.unit,
        note=f"{item.pk}{' original' if original else ''}",
    )
    if original:
        with item.original_file.open("rb") as handle:
            content = io.BytesIO(crypto.open_bytes(handle.read()))
        name = f"{clue.tracking_number}-{item.pk}-original"
        content_type = "application/octet-stream"
    else:
        content = item.file.open("rb")
        name = f"{clue.tracking_number}-{item.pk}.{item.extension}"
        content_type = item.content_type
    response = FileResponse(content, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
