"""Staff entry of a clue taken by phone, letter, visit or referral, its receipt shown once to
read out, and the reply slip printed for the reporter. The clue is stored by the public
form's service (lifecycle.submission.submit_clue) and its files take the public form's path
(taking_evidence, the same checks and stripping, staging between attempts)."""

import re
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.models import PortalSettings
from reporting.admin.intake_forms import StaffClueForm
from reporting.evidence import crypto, staging, storage
from reporting.intake import receipts, reply_slip
from reporting.intake.forms import (
    CLUE_FIELDS,
    MAX_PARTIES,
    TOKEN_PATTERN,
    PartyFormSet,
    with_another_party,
)
from reporting.intake.receipts import format_tracking_number, receipt_access_key
from reporting.intake.views.common import taking_evidence
from reporting.lifecycle import ledger, submission
from reporting.lifecycle.scope import entry_regions, visible_clues
from reporting.models import Clue, LedgerEntry

STAGED_ID = re.compile(r"\A[0-9a-f]{32}\Z")
# The submission token of a clue just entered, by clue, until its receipt page takes the
# receipt (receipts.take_receipt) as the public receipt page does.
PENDING_KEY = "reporting:entered-receipts"
# The codes of receipts shown, sealed, by clue: the reply slip is printed from them, for this
# long after the receipt was shown, in this session only. The key is kept nowhere else.
HELD_KEY = "reporting:reply-slip-codes"
HOLD_SECONDS = 30 * 60
SHOWN_ONCE = gettext_lazy(
    "The access key of a clue is shown once, on the page after it is entered, and is not "
    "kept anywhere: it can no longer be shown or printed. A reporter who lost it can report "
    "again and mention the tracking number."
)


def may_enter_clues(user):
    """Intake reviewers (where their offices screen) and superusers."""
    return entry_regions(user) != []


def _breadcrumbs(*extra):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("clues:index"), "label": _("Clue queue")},
        *extra,
    ]


@method_decorator(never_cache, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")  # checked by taking_evidence, after the files
class EnterClueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reporting/admin/enter_clue.html"
    page_title = gettext_lazy("Enter a clue")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not may_enter_clues(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.page_title})

    def get(self, request, *args, **kwargs):
        form = StaffClueForm(user=request.user)
        return self.show(form, PartyFormSet(prefix="party"))

    def post(self, request, *args, **kwargs):
        return taking_evidence(self.handle, request)

    def handle(self, request):
        token = request.POST.get("submission_token", "")
        token_ok = bool(TOKEN_PATTERN.match(token))
        for file_id in request.POST.getlist("remove_staged"):
            if token_ok and STAGED_ID.match(file_id):
                staging.remove(token, file_id)
        staged = staging.staged(token) if token_ok else []
        form = StaffClueForm(
            request.POST,
            request.FILES,
            user=request.user,
            rejected_files=request.evidence_rejected,
            staged_files=staged,
        )
        another = "add_party" in request.POST
        parties = PartyFormSet(with_another_party(request.POST), prefix="party")
        valid = form.is_valid()  # always: it checks and strips the files to keep
        request.evidence_checked = form.checked_files()
        valid = parties.is_valid() and valid
        if not valid and token_ok:
            stored = Clue.objects.filter(submission_token=token).first()
            if stored is not None:
                # Sent already (a double click): one clue, and its receipt.
                return to_receipt(request, stored, token)
        if another:
            # One more person's boxes: a round trip that keeps every answer and every
            # checked file, and shows no errors yet.
            letter = self.stage(form, token, request.POST.get("letter_staged", ""))
            form = StaffClueForm(
                initial=request.POST.dict(), user=request.user, staged_files=staged
            )
            return self.show(form, parties, staged_under=token, letter=letter)
        if not valid:
            letter = self.stage(form, token, request.POST.get("letter_staged", ""))
            return self.show(form, parties, staged_under=token, letter=letter, status=400)
        letter_id = form.cleaned_data["letter_staged"]
        files = [
            staging.load(token, file_id, manifest)
            for file_id, manifest in sorted(staged, key=lambda entry: entry[0] != letter_id)
        ]
        if form.letter_file is not None:
            files.insert(0, form.letter_file)
        files += form.processed_files
        request.report_processed_files = form.checked_files()
        try:
            clue, _key = submission.submit_clue(
                details={field: form.cleaned_data[field] for field in CLUE_FIELDS},
                parties=[p for p in parties.cleaned_data if p and any(p.values())],
                reporter=form.reporter_details(),
                submission_token=token,
                entry_code="",
                # The reporter's language, for what they are told later: the portal's own,
                # not the one the staff member reads the admin in.
                language=settings.LANGUAGE_CODE,
                files=files,
                channel=form.cleaned_data["channel"],
                referring_body=form.cleaned_data["referring_body"].strip(),
                received_at=form.received_at(),
                taken_by=request.user,
                protection=form.protection_request(),
            )
        except submission.DuplicateSubmission as duplicate:
            return to_receipt(request, duplicate.clue, token)
        except storage.EvidenceStorageError:
            form.add_error(
                None,
                _(
                    "The files could not be stored just now, so the clue was not entered. "
                    "Everything typed is kept below; choose the files again and resend."
                ),
            )
            return self.show(form, parties, staged_under=token, status=503)
        return to_receipt(request, clue, token)

    def stage(self, form, token, letter_id):
        """Keep the checked files for the next attempt (the public form's staging); returns
        the file id of the scanned letter kept, if any."""
        if not TOKEN_PATTERN.match(token):
            return ""
        try:
            if form.letter_file is not None:
                letter_id = staging.stage(token, form.letter_file) or ""
            refused = [p for p in form.processed_files if not staging.stage(token, p)]
        except OSError:
            form.add_error("evidence", _("The files could not be kept; choose them again."))
            return ""
        if refused:
            form.add_error(
                "evidence",
                _("Not kept, because the clue already has as many files as it may: %(names)s")
                % {"names": ", ".join(p.display_name for p in refused)},
            )
        return letter_id if STAGED_ID.match(letter_id or "") else ""

    def show(self, form, parties, staged_under=None, letter="", status=200):
        staged = staging.staged(staged_under) if staged_under else []
        context = self.get_context_data(
            form=form,
            parties=parties,
            can_add_party=parties.total_form_count() < MAX_PARTIES,
            staged_files=staged,
            letter_staged=letter if any(fid == letter for fid, _m in staged) else "",
        )
        return self.render_to_response(context, status=status)


def to_receipt(request, clue, token):
    pending = request.session.get(PENDING_KEY, {})
    pending[str(clue.pk)] = token
    request.session[PENDING_KEY] = pending
    return redirect("clues:receipt", pk=clue.pk)


def _hold(request, clue, stored):
    held = {
        pk: entry
        for pk, entry in request.session.get(HELD_KEY, {}).items()
        if entry["until"] > time.time()
    }
    held[str(clue.pk)] = {
        "sealed": crypto.seal(stored).decode(),
        "until": time.time() + HOLD_SECONDS,
    }
    request.session[HELD_KEY] = held


def held_codes(request, clue):
    """The receipt's codes this session holds for the clue, or None."""
    entry = request.session.get(HELD_KEY, {}).get(str(clue.pk))
    if entry is None or entry["until"] <= time.time():
        return None
    codes = crypto.open_sealed(entry["sealed"].encode())
    return codes if codes["tracking_number"] == clue.tracking_number else None


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class StaffReceiptView(WagtailAdminTemplateMixin, TemplateView):
    """The receipt of a clue just entered: shown once, to read out or copy onto a reply."""

    template_name = "reporting/admin/staff_receipt.html"
    page_title = gettext_lazy("Receipt for the reporter")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.page_title})

    def get(self, request, pk):
        clue = get_object_or_404(visible_clues(request.user), pk=pk)
        pending = request.session.get(PENDING_KEY, {})
        token = pending.pop(str(pk), None)
        request.session[PENDING_KEY] = pending
        stored = receipts.take_receipt(token) if token else None
        if stored is None or stored["tracking_number"] != clue.tracking_number:
            messages.error(request, SHOWN_ONCE, extra_tags="shown-once")
            return redirect("clues:inspect", pk=clue.pk)
        _hold(request, clue, stored)
        context = self.get_context_data(
            clue=clue,
            tracking_number=format_tracking_number(stored["tracking_number"]),
            access_key=receipt_access_key(stored["access_key"]),
            status_url=reply_slip.status_url(),
            hold_minutes=HOLD_SECONDS // 60,
        )
        return _no_store(self.render_to_response(context))


@never_cache
def download_reply_slip(request, pk):
    clue = get_object_or_404(visible_clues(request.user), pk=pk)
    codes = held_codes(request, clue)
    if codes is None:
        messages.error(request, SHOWN_ONCE, extra_tags="shown-once")
        return redirect("clues:inspect", pk=clue.pk)
    portal = PortalSettings.for_request(request)
    pdf = reply_slip.render(
        tracking_number=codes["tracking_number"],
        access_key=codes["access_key"],
        received_at=clue.created_at,
        operator=portal.operator_zh,
        hotline=portal.hotline,
    )
    ledger.record(clue, LedgerEntry.Action.REPLY_SLIP, actor=request.user, unit=clue.unit)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"reply-slip-{clue.tracking_number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@require_POST
def forget_receipt(request, pk):
    """ "Done": the codes held for the reply slip are forgotten."""
    clue = get_object_or_404(visible_clues(request.user), pk=pk)
    held = request.session.get(HELD_KEY, {})
    held.pop(str(clue.pk), None)
    request.session[HELD_KEY] = held
    messages.success(request, _("Done: the receipt's codes are no longer held for printing."))
    return redirect("clues:inspect", pk=clue.pk)
