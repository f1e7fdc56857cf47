"""The units' API (docs/forwarding.md#the-units-api): a unit's own case system reads the clues
transferred to its unit with a key a supervisor gave it. Every clue is found through
reporting.lifecycle.scope.unit_clues, the rule that decides what the unit's verifiers see, so
another unit's clue is 404 here as it is in the admin, never 403."""

import base64
import binascii
import functools
import json
from datetime import UTC, date, datetime, time
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import FileResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ninja import Body, Field, Header, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import ConfigDict

from reporting.jobs.forwarding import clue_admin_url
from reporting.jobs.mail import queue_mail
from reporting.lifecycle import forms, ledger
from reporting.lifecycle.review import current_conclusion, reveal_reporter_to_system
from reporting.lifecycle.scope import as_case_system, unit_clues
from reporting.lifecycle.transitions import (
    DECISIONS,
    TRANSITIONS,
    StaleClue,
    TransitionError,
    last_decision,
    perform,
)
from reporting.models import (
    SIGNATURES_REQUIRED,
    Clue,
    Conclusion,
    Evidence,
    LedgerEntry,
    Membership,
    Transfer,
    Unit,
)

from . import calls
from .models import ApiKey

Scope = ApiKey.Scope
MAX_LIMIT = 100
# The largest primary key the databases hold (a signed 64-bit integer): a cursor past it
# would make the query itself fail.
MAX_PK = 2**63 - 1
TRACKING_NUMBER = r"^[0-9]{12}$"
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"


# Text an action takes: no NUL character, and more than spaces.
# Python's str.strip() also takes away \x1c-\x1f, which regular expressions' \s does not.
WORDS = r"^[^\x00]*[^\x00\s\x1c-\x1f][^\x00]*$"


class ApiError(Exception):
    def __init__(self, status, code, message, *, state=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.state, self.headers = state, headers or {}


class State(Schema):
    status: Clue.Status
    version: str = Field(description="Give it as If-Match to act on the clue as it is now.")


class Error(Schema):
    code: str = Field(description="Machine-readable: what went wrong.")
    message: str = Field(description="For a person, in the request's language.")
    errors: list[dict] | None = Field(None, description="The refused inputs (code 'invalid').")
    state: State | None = Field(
        None, description="A refused action: the clue as it stands, status and version."
    )


ERRORS = {401: Error, 403: Error, 404: Error, 413: Error, 422: Error, 429: Error}
WRITE_ERRORS = {**ERRORS, 400: Error, 409: Error, 412: Error}
# NUL characters in a path or query string are refused by the portal before any view runs
# (portal.middleware.NulCharacterMiddleware), with its 400 page.
NUL_REFUSED = {
    "responses": {
        400: {
            "description": "A NUL character in the path or query: the portal's 400 page.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    }
}


class KeyAuth(HttpBearer):
    openapi_description = "The unit's API key: `Authorization: Bearer ucs_…`."

    def authenticate(self, request, token):
        key = ApiKey.authenticate(token, related=request.method != "GET")
        if key is None:
            return None
        key.mark_used()
        request.unit_api_key = key
        with translation.override(_language(request)):
            wait = calls.calls_left(key)
            if wait is not None:
                raise ApiError(
                    429,
                    "rate_limited",
                    _("This API key has made too many calls this minute. Try again later."),
                    headers={"Retry-After": str(wait)},
                )
            if _body_size(request) > settings.UNIT_API_MAX_BODY_BYTES:
                raise ApiError(
                    413,
                    "too_large",
                    _("The request's body is larger than the API takes (%(limit)s bytes).")
                    % {"limit": settings.UNIT_API_MAX_BODY_BYTES},
                )
        return key


def _body_size(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


api = NinjaAPI(
    title="Units' API",
    version="1",
    urls_namespace="unitapi",
    auth=KeyAuth(),
    # The interactive page loads its scripts from a CDN, which the portal's
    # Content-Security-Policy refuses; the schema (openapi.json) is what clients read.
    docs_url=None,
    description="Read the clues transferred to your unit and act on them: every action takes "
    "the clue's version (If-Match) and a new Idempotency-Key. docs/forwarding.md explains it.",
)


def _language(request):
    # The API's paths carry no language prefix, so LocaleMiddleware keeps Chinese; a case
    # system asks for English with Accept-Language.
    return translation.get_language_from_request(request, check_path=False)


def _private(response):
    # Clues are for the unit alone: no cache on the way keeps them.
    response["Cache-Control"] = "no-store, private"


def _error(request, status, code, message, errors=None, state=None):
    body = {"code": code, "message": str(message)}
    if errors is not None:
        body["errors"] = errors
    if state is not None:
        body["state"] = state
    response = api.create_response(request, body, status=status)
    _private(response)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    with translation.override(_language(request)):
        response = _error(
            request,
            401,
            "unauthenticated",
            _("A valid API key is needed: it is missing, wrong, revoked or expired."),
        )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    with translation.override(_language(request)):
        headers = {
            tuple(error["loc"][:2]): error
            for error in exc.errors
            if error["loc"][:1] == ("header",)
        }
        if headers and len(headers) == len(exc.errors):
            # Only an action's headers are wrong: said as what is missing, not as "invalid".
            if ("header", "Idempotency-Key") in headers:
                return _api_error(request, _idempotency_key_required())
            # Missing, or not of the form the API gives (a weak tag, a list, "*"); a version
            # of that form that is not the clue's now is 412, in _act.
            return _api_error(request, _version_required())
        return _error(request, 422, "invalid", _("Some of the request is not valid."), errors)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    with translation.override(_language(request)):
        response = _error(request, exc.status, exc.code, exc.message, state=exc.state)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    with translation.override(_language(request)):
        return _error(request, 404, "not_found", _("No such clue of your unit."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # django-ninja's own refusals: a body that is not JSON (400) is input like any other.
    with translation.override(_language(request)):
        if exc.status_code == 400:
            return _error(request, 422, "invalid", _("The request's body is not valid JSON."))
        return _error(request, exc.status_code, "refused", _("The request was refused."))


def _require(request, scope):
    if not request.auth.has_scope(scope):
        with translation.override(_language(request)):
            raise ApiError(
                403,
                "missing_scope",
                _("This API key may not do this: it lacks the scope “%(scope)s”.")
                % {"scope": scope},
            )


def _clue(request, tracking_number):
    clue = (
        unit_clues(request.auth.unit_id)
        .select_related("category", "region")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if clue is None:
        raise Http404
    return clue


def _invalid_input(message):
    return ApiError(422, "invalid", message)


# --- schemas --------------------------------------------------------------------------


class ClueSummary(Schema):
    tracking_number: str
    status: Clue.Status
    category: str = Field(description="The category's slug.")
    region: str | None = Field(description="The region's division code (GB/T 2260).")
    is_key: bool
    created_at: datetime
    updated_at: datetime | None = Field(description="The clue's latest ledger entry.")
    acknowledge_due_at: datetime
    feedback_due_at: datetime
    overdue_since: datetime | None
    version: str = Field(
        description="The clue's version, as its ETag gives it: send it as If-Match to act."
    )


class ClueList(Schema):
    items: list[ClueSummary]
    next_cursor: str | None = Field(
        description="Give it as `cursor` for the next page; null on the last page."
    )


class TransferOut(Schema):
    mode: str
    deadline: datetime
    created_at: datetime
    acknowledged_at: datetime | None


class MessageOut(Schema):
    sender: Literal["staff", "reporter"] = Field(description="Staff names are never given.")
    body: str
    created_at: datetime


class EvidenceOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str = Field(description="SHA-256 of the file the download gives.")
    added_at: datetime


class PartyOut(Schema):
    name: str
    description: str
    role: str


class ConclusionOut(Schema):
    id: int = Field(
        description="Give it when signing: a conclusion redrafted since is not signed."
    )
    finding: Conclusion.Finding
    outcome: Conclusion.Outcome
    text: str
    drafted_at: datetime
    signed_by: list[str] = Field(description="The signatories' usernames, in order of signing.")
    signatures_required: int


class ClueDetail(ClueSummary):
    channel: str
    what_happened: str
    when: str
    when_start: str | None
    when_end: str | None
    where: str
    officials_shield: str
    shield_details: str
    identity: Literal["anonymous", "named"] = Field(
        description="Whether the reporter gave a name; the name itself only through "
        "/reporter, with the identity scope and a reason."
    )
    content_erased_at: datetime | None
    transfers: list[TransferOut] = Field(description="The transfers to your unit.")
    parties: list[PartyOut]
    messages: list[MessageOut]
    evidence: list[EvidenceOut]
    conclusion: ConclusionOut | None = Field(
        description="The conclusion being signed, drafted by your unit; null when none is."
    )
    feedback: str = Field(description="What the reporter was told, once feedback is given.")


class RevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=4,
        max_length=500,
        pattern=r"^[^\x00]*$",
        description="Why the reporter's identity is needed: four characters at least, "
        "leading and trailing spaces left out. Recorded in the clue's ledger.",
    )


class ReporterOut(Schema):
    details: dict = Field(description="The named reporter's details as they gave them.")


# A listed clue's fields, read as values: a page of them costs no model instances.
SUMMARY = (
    "tracking_number",
    "status",
    "is_key",
    "created_at",
    "acknowledge_due_at",
    "feedback_due_at",
    "overdue_since",
)
# Read across the relations, and named as the summary names them.
SUMMARY_RELATED = {"category__slug": "category", "region__code": "region"}


def _stamps(pks):
    """Each clue's latest ledger entry (updated_at) and newest decision (its version), for a
    page of clues in one grouped query: {clue pk: {"updated_at", "version"}}."""
    rows = (
        LedgerEntry.objects.filter(clue__in=pks)
        .values("clue_id")
        .annotate(updated_at=Max("at"), version=Max("pk", filter=Q(action__in=DECISIONS)))
        .order_by()
    )
    return {row["clue_id"]: row for row in rows}


def _stamped(summary, stamp, pk):
    for lookup, name in SUMMARY_RELATED.items():
        if lookup in summary:
            summary[name] = summary.pop(lookup)
    summary["updated_at"] = stamp.get("updated_at")
    summary["version"] = calls.version_of(pk, stamp.get("version"))
    return summary


def _cursor(pk):
    return base64.urlsafe_b64encode(json.dumps({"after": pk}).encode()).decode().rstrip("=")


def _after(request, cursor):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        after = None
    if type(after) is not int or not 0 <= after <= MAX_PK:
        raise _invalid_input(_("This cursor is not one the API gave."))
    return after


def _moment(text):
    # RFC 3339 only (the pattern): a number or a date without its offset would be read as
    # something the caller may not have meant.
    try:
        return datetime.fromisoformat(text.upper()).astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise _invalid_input(_("This date and time does not exist or is out of range.")) from error


# --- endpoints ------------------------------------------------------------------------


@api.get(
    "/clues",
    response={200: ClueList, **ERRORS},
    openapi_extra=NUL_REFUSED,
    summary="The clues your unit holds",
)
def list_clues(
    request,
    response: HttpResponse,
    cursor: str | None = Query(None, max_length=200, description="From the last page."),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="1 to 100; more is refused (422)."),
    status: Clue.Status | None = Query(None),
    updated_since: str | None = Query(
        None,
        max_length=40,
        pattern=RFC3339,
        description="Only clues with a ledger entry at or after this moment (RFC 3339, with "
        "its offset: 2026-12-01T08:00:00+08:00).",
        format="date-time",
    ),
    key: bool | None = Query(None, description="Key clues only (true) or none of them."),
    overdue: bool | None = Query(None, description="Overdue now (true) or not."),
):
    _require(request, Scope.READ)
    _private(response)
    clues = unit_clues(request.auth.unit_id)
    if cursor is not None:
        clues = clues.filter(pk__gt=_after(request, cursor))
    if status is not None:
        clues = clues.filter(status=status)
    if updated_since is not None:
        since = _moment(updated_since)
        clues = clues.filter(
            Exists(LedgerEntry.objects.filter(clue=OuterRef("pk"), at__gte=since))
        )
    if key is not None:
        clues = clues.filter(is_key=key)
    if overdue is not None:
        clues = clues.filter(overdue_since__isnull=not overdue)
    # In order of the primary key, which never changes: a walk through the pages sees every
    # clue once, and clues transferred meanwhile come at its end.
    page = list(clues.order_by("pk").values("pk", *SUMMARY, *SUMMARY_RELATED)[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    stamps = _stamps([row["pk"] for row in page])
    return {
        "items": [_stamped(row, stamps.get(row["pk"], {}), row["pk"]) for row in page],
        "next_cursor": _cursor(page[-1]["pk"]) if more else None,
    }


@api.get(
    "/clues/{tracking_number}",
    response={200: ClueDetail, **ERRORS},
    openapi_extra={
        "responses": {
            **NUL_REFUSED["responses"],
            200: {
                "headers": {
                    "ETag": {
                        "description": "The clue's version: If-Match for an action on it.",
                        "schema": {"type": "string", "pattern": calls.VERSION},
                    }
                }
            },
        }
    },
    summary="One clue of your unit",
)
def get_clue(
    request, response: HttpResponse, tracking_number: str = Path(..., pattern=TRACKING_NUMBER)
):
    _require(request, Scope.READ)
    _private(response)
    clue = _clue(request, tracking_number)
    summary = _stamped(
        {name: getattr(clue, name) for name in SUMMARY},
        _stamps([clue.pk]).get(clue.pk, {}),
        clue.pk,
    )
    response["ETag"] = summary["version"]
    conclusion = current_conclusion(clue) if clue.status in Clue.BEING_VERIFIED else None
    return {
        **summary,
        "category": clue.category.slug,
        "region": clue.region.code if clue.region_id else None,
        "channel": clue.channel,
        "what_happened": clue.what_happened,
        "when": clue.when,
        "when_start": clue.when_start.isoformat() if clue.when_start else None,
        "when_end": clue.when_end.isoformat() if clue.when_end else None,
        "where": clue.where,
        "officials_shield": clue.officials_shield,
        "shield_details": clue.shield_details,
        "identity": clue.identity,
        "content_erased_at": clue.content_erased_at,
        "transfers": list(clue.transfers.filter(to_unit=request.auth.unit_id)),
        "parties": list(clue.parties.all()),
        "messages": [
            {"sender": message.sender, "body": message.body, "created_at": message.created_at}
            for message in clue.messages.exclude(body="")
        ],
        "evidence": [
            {
                "id": item.pk,
                "kind": item.kind,
                "content_type": item.content_type,
                "size": item.size,
                "sha256": item.sha256,
                "added_at": item.added_at,
            }
            for item in clue.evidence.exclude(file="")
        ],
        "conclusion": conclusion and _conclusion(conclusion),
        "feedback": clue.feedback,
    }


def _conclusion(conclusion):
    return {
        "id": conclusion.pk,
        "finding": conclusion.finding,
        "outcome": conclusion.outcome,
        "text": conclusion.text,
        "drafted_at": conclusion.created_at,
        "signed_by": list(conclusion.signatures.values_list("signer__username", flat=True)),
        "signatures_required": SIGNATURES_REQUIRED,
    }


@api.get(
    "/clues/{tracking_number}/evidence/{evidence_id}",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The stored file, its metadata stripped; never the original.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            **NUL_REFUSED["responses"],
        }
    },
    summary="An evidence file (recorded in the clue's ledger)",
)
def download_evidence(
    request,
    tracking_number: str = Path(..., pattern=TRACKING_NUMBER),
    evidence_id: int = Path(..., ge=1, le=MAX_PK),
):
    _require(request, Scope.EVIDENCE)
    clue = _clue(request, tracking_number)
    item = Evidence.objects.filter(clue=clue, pk=evidence_id).exclude(file="").first()
    if item is None:
        raise Http404
    # The key's own account is the actor; the note names the file and the key.
    ledger.record(
        clue,
        LedgerEntry.Action.EVIDENCE_DOWNLOADED,
        actor=request.auth.acting_account(),
        unit=clue.unit,
        note=f"{item.pk} api:{request.auth.name} ({request.auth.prefix})",
    )
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"{clue.tracking_number}-{item.pk}.{item.extension}",
        content_type=item.content_type,
    )
    _private(response)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@api.post(
    "/clues/{tracking_number}/reporter",
    response={200: ReporterOut, 409: Error, **ERRORS},
    openapi_extra=NUL_REFUSED,
    summary="A named reporter's details, for a reason (recorded in the clue's ledger)",
)
def reveal_reporter(
    request,
    response: HttpResponse,
    body: RevealIn,
    tracking_number: str = Path(..., pattern=TRACKING_NUMBER),
):
    _require(request, Scope.IDENTITY)
    _private(response)
    clue = _clue(request, tracking_number)
    if len(body.reason.strip()) < 4:
        raise _invalid_input(
            _("Give the reason you need the reporter's identity, in at least four characters.")
        )
    with translation.override(_language(request)):
        try:
            details = reveal_reporter_to_system(
                clue,
                system=f"api:{request.auth.name} ({request.auth.prefix})",
                reason=body.reason.strip(),
                actor=request.auth.acting_account(),
            )
        except TransitionError as error:
            raise ApiError(409, "not_revealed", str(error)) from error
    return {"details": details}


# --- acting on a clue ------------------------------------------------------------------


class ActIn(Schema):
    # A field the API does not know is refused, not ignored: a case system that misspells
    # one must learn that it was not taken.
    model_config = ConfigDict(extra="forbid")


def _words(form, field, description):
    return Field(
        ...,
        min_length=1,
        max_length=form.base_fields[field].max_length,
        pattern=WORDS,
        description=description,
    )


class NoteIn(ActIn):
    note: str = _words(forms.NoteForm, "note", "What was done.")


class QuestionIn(ActIn):
    body: str = _words(forms.QuestionForm, "body", "The question the reporter reads.")


class ConclusionIn(ActIn):
    finding: Conclusion.Finding
    outcome: Conclusion.Outcome
    text: str = _words(forms.ConclusionForm, "text", "The conclusion the signatories sign.")


class SignatureIn(ActIn):
    signatory: str = Field(
        ...,
        min_length=1,
        max_length=150,
        pattern=r"^[\w.@+-]+$",
        description="The portal username of a signatory of your unit who signs.",
    )
    conclusion_id: int | None = Field(
        None,
        ge=1,
        le=MAX_PK,
        description="The conclusion the signatory read (the clue's conclusion.id): one "
        "redrafted since is not signed in its place.",
    )


class FeedbackIn(ActIn):
    text: str = _words(forms.FeedbackForm, "text", "What the reporter is told.")


class TransferIn(ActIn):
    to_unit: str = Field(
        ..., min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$", description="A unit's code."
    )
    mode: Transfer.Mode
    deadline: date = Field(description="Verify by the end of this day (a date, 2026-12-31).")
    note: str = Field(
        "", max_length=2_000, pattern=r"^[^\x00]*$", description="Instructions for the unit."
    )


class ActionResult(Schema):
    tracking_number: str
    status: Clue.Status
    version: str = Field(description="The clue's version now: If-Match for the next action.")
    message: str = Field(description="What was done, for a person, in the request's language.")


IDEMPOTENCY = Header(
    ...,
    alias="Idempotency-Key",
    pattern=calls.IDEMPOTENCY_KEY,
    description="A new key (1 to 200 visible ASCII characters) for each action. The same "
    "key with the same body answers as the first time; with another body, 409. Missing or "
    "malformed: 400.",
)
IF_MATCH = Header(
    ...,
    alias="If-Match",
    pattern=calls.VERSION,
    description="The clue's version (its ETag, or `version` in a listing). Missing or "
    "malformed: 400; not the clue's version now (someone acted since): 412.",
)


def _idempotency_key_required():
    return ApiError(
        400,
        "idempotency_key_required",
        _("Send an Idempotency-Key header: 1 to 200 visible ASCII characters, new for "
          "each action."),
    )  # fmt: skip


def _version_required():
    return ApiError(
        400,
        "version_required",
        _("Send the clue's version as If-Match: the ETag of the clue, or its “version”."),
    )


def _stale(state=None):
    return ApiError(
        412,
        "stale",
        _("Someone acted on this clue since you opened it. Check the page again."),
        state=state,
    )


def _state(request, clue):
    """The clue as it stands, for a refusal: only while it is still the unit's."""
    clue = unit_clues(request.auth.unit_id).filter(pk=clue.pk).first()
    if clue is None:
        return None
    return {"status": clue.status, "version": calls.version_of(clue.pk, last_decision(clue))}


def _replay(request, response, idempotency_key, print_):
    first = calls.earlier(request.auth, idempotency_key)
    if first is None:
        return None
    if first.fingerprint != print_:
        raise ApiError(
            409,
            "idempotency_key_reused",
            _("This Idempotency-Key was used for another call. Use a new key for each action."),
        )
    # Only successful actions are kept (calls.remember): the first answer was a 200 too.
    response["ETag"] = first.answer["version"]
    response["Idempotent-Replayed"] = "true"
    return first.answer


def _act(request, response, tracking_number, name, body, arguments, *, actor=None, then=None):
    """One action on one clue through the transitions table, as the admin takes it: the
    first answer kept under the call's Idempotency-Key, and refused when the clue changed
    since the version the call names (If-Match). `arguments` (and `actor`, if given) are
    functions, called once the call is known to be new and the clue to be the unit's;
    `then(clue, actor)` runs in the action's transaction once it is done. The headers'
    presence and form are checked before (the schema's; _invalid says which)."""
    _require(request, Scope.ACT)
    _private(response)
    key = request.auth
    idempotency_key = request.headers["Idempotency-Key"]
    print_ = calls.fingerprint(request.method, request.path, body.dict() if body else {})
    replayed = _replay(request, response, idempotency_key, print_)
    if replayed is not None:
        return replayed
    clue = _clue(request, tracking_number)
    arguments = arguments()
    actor = actor() if actor else as_case_system(key.acting_account(), key.unit)
    seen = last_decision(clue)
    if request.headers["If-Match"] != calls.version_of(clue.pk, seen):
        raise _stale(_state(request, clue))
    try:
        with transaction.atomic():
            # The decision read above is checked again on the locked row: a call that acted
            # in between makes this one stale.
            done = perform(name, clue, actor, arguments, seen=seen)
            clue = done if isinstance(done, Clue) else Clue.objects.get(pk=clue.pk)
            if then is not None:
                then(clue, actor)
            version = calls.version_of(clue.pk, last_decision(clue))
            answer = {
                "tracking_number": clue.tracking_number,
                "status": clue.status,
                "version": version,
                "message": TRANSITIONS[name].done_message(clue),
            }
            calls.remember(key, idempotency_key, print_, answer)
    except StaleClue as error:
        # A retry sent while the first was still running waited for the clue's lock and
        # found the clue changed, by that first call: its answer is the one to give.
        replayed = _replay(request, response, idempotency_key, print_)
        if replayed is not None:
            return replayed
        raise _stale(_state(request, clue)) from error
    except TransitionError as error:
        raise ApiError(409, error.code, str(error), state=_state(request, clue)) from error
    except IntegrityError:
        # The same key, sent twice at once to two clues' locks: the other call's answer.
        replayed = _replay(request, response, idempotency_key, print_)
        if replayed is None:
            raise
        return replayed
    response["ETag"] = version
    return answer


ACTED_HEADERS = {
    "ETag": {
        "description": "The clue's version now: If-Match for the next action.",
        "schema": {"type": "string", "pattern": calls.VERSION},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the first answer given again to a repeat.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def _acting(summary):
    responses = {**NUL_REFUSED["responses"], 200: {"headers": ACTED_HEADERS}}
    return {
        "response": {200: ActionResult, **WRITE_ERRORS},
        "openapi_extra": {"responses": responses},
        "summary": summary,
    }


def _in_language(view):
    """The action's refusals and its message are in the request's language."""

    @functools.wraps(view)
    def translated(request, *args, **kwargs):
        with translation.override(_language(request)):
            return view(request, *args, **kwargs)

    return translated


def _action(path, name, schema, summary, operation):
    """An action whose body's fields are its service's arguments, as they are named. A body
    with no fields (ActIn) may be left out; any other is required."""
    given = None if not schema.model_fields else Body(...)

    @api.post(
        f"/clues/{{tracking_number}}/{path}", operation_id=f"unitapi_api_{operation}",
        url_name=operation, **_acting(summary),
    )  # fmt: skip
    @_in_language
    def endpoint(
        request,
        response: HttpResponse,
        body: schema = given,
        tracking_number: str = Path(..., pattern=TRACKING_NUMBER),
        idempotency_key: str = IDEMPOTENCY,
        if_match: str = IF_MATCH,
    ):
        return _act(
            request, response, tracking_number, name, body, lambda: body.dict() if body else {}
        )

    return endpoint


acknowledge = _action("acknowledge", "acknowledge", ActIn, "Acknowledge receipt", "acknowledge")
progress = _action("progress", "progress", NoteIn, "Record progress", "progress")
ask = _action("questions", "ask", QuestionIn, "Ask the reporter a question", "ask")
conclude = _action("conclusion", "conclude", ConclusionIn, "Draft the conclusion", "conclude")
feedback = _action("feedback", "feedback", FeedbackIn, "Give the reporter feedback", "feedback")


@api.post(
    "/clues/{tracking_number}/signatures",
    **_acting("A signatory of your unit signs the conclusion"),
)
@_in_language
def sign(
    request,
    response: HttpResponse,
    body: SignatureIn,
    tracking_number: str = Path(..., pattern=TRACKING_NUMBER),
    idempotency_key: str = IDEMPOTENCY,
    if_match: str = IF_MATCH,
):

    # A signature is a person's: one of the unit's signatories, named by the case system,
    # signs, and the ledger names them and the key that passed it on.
    def signatory():
        membership = (
            Membership.objects.select_related("user")
            .filter(
                unit=request.auth.unit_id,
                role=Membership.Role.SIGNATORY,
                user__username=body.signatory,
                user__is_active=True,
            )
            .first()
        )
        if membership is None:
            raise ApiError(
                422,
                "not_a_signatory",
                _("“%(name)s” is not a signatory of your unit.") % {"name": body.signatory},
            )
        return membership.user

    def arguments():
        return {"conclusion_id": body.conclusion_id, "through": f"api:{request.auth}"}

    return _act(
        request, response, tracking_number, "sign", body, arguments,
        actor=signatory, then=functools.partial(_tell_signatory, request.auth),
    )  # fmt: skip


def _tell_signatory(key, clue, signatory):
    """A signature is a person's, and here a system says the person gave it: the person is
    told at once, so one they did not give is noticed (docs/forwarding.md#writing-back)."""
    if not signatory.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        queue_mail(
            [signatory.email],
            _("Your signature was recorded through your unit's case system"),
            _(
                "Your signature on the conclusion of clue %(number)s was recorded through "
                "the API key “%(key)s” of %(unit)s. If you did not sign it, tell your "
                "supervisor at once. The clue:\n%(url)s"
            )
            % {
                "number": clue.tracking_number,
                "key": key,
                "unit": clue.unit.label,
                "url": clue_admin_url(clue),
            },
        )


@api.post("/clues/{tracking_number}/transfer", **_acting("Transfer the clue onward"))
@_in_language
def transfer(
    request,
    response: HttpResponse,
    body: TransferIn,
    tracking_number: str = Path(..., pattern=TRACKING_NUMBER),
    idempotency_key: str = IDEMPOTENCY,
    if_match: str = IF_MATCH,
):

    def arguments():
        to_unit = Unit.objects.select_related("region").filter(code=body.to_unit).first()
        if to_unit is None:
            raise ApiError(422, "unknown_unit", _("No unit has the code “%(code)s”.") % {
                "code": body.to_unit
            })  # fmt: skip
        if body.deadline <= timezone.localdate():
            raise ApiError(422, "deadline_passed", _("The deadline must be in the future."))
        deadline = timezone.make_aware(datetime.combine(body.deadline, time(23, 59, 59)))
        return {"to_unit": to_unit, "mode": body.mode, "deadline": deadline, "note": body.note}

    return _act(request, response, tracking_number, "transfer", body, arguments)


def unknown_path(request, path):
    """Any other address under the API's prefix: its JSON 404, not a redirect to the same
    path with a slash (CommonMiddleware's, since the site's page routes match any such
    path) and an HTML page."""
    with translation.override(_language(request)):
        response = JsonResponse(
            {"code": "not_found", "message": str(_("There is no such address in this API."))},
            status=404,
        )
    _private(response)
    return response
