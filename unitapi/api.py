"""The units' API (docs/forwarding.md#the-units-api): a unit's own case system reads the clues
transferred to its unit with a key a supervisor gave it. Every clue is found through
reporting.lifecycle.scope.unit_clues, the rule that decides what the unit's verifiers see, so
another unit's clue is 404 here as it is in the admin, never 403."""

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Literal

from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import FileResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from reporting.lifecycle import ledger
from reporting.lifecycle.review import reveal_reporter_to_system
from reporting.lifecycle.scope import unit_clues
from reporting.lifecycle.transitions import TransitionError
from reporting.models import Clue, Evidence, LedgerEntry

from .models import ApiKey

Scope = ApiKey.Scope
MAX_LIMIT = 100
# The largest primary key the databases hold (a signed 64-bit integer): a cursor past it
# would make the query itself fail.
MAX_PK = 2**63 - 1
TRACKING_NUMBER = r"^[0-9]{12}$"
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Error(Schema):
    code: str = Field(description="Machine-readable: what went wrong.")
    message: str = Field(description="For a person, in the request's language.")
    errors: list[dict] | None = Field(None, description="The refused inputs (code 'invalid').")


ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}
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
        key = ApiKey.authenticate(token)
        if key is not None:
            key.mark_used()
            request.unit_api_key = key
        return key


api = NinjaAPI(
    title="Units' API",
    version="1",
    urls_namespace="unitapi",
    auth=KeyAuth(),
    # The interactive page loads its scripts from a CDN, which the portal's
    # Content-Security-Policy refuses; the schema (openapi.json) is what clients read.
    docs_url=None,
    description="Read the clues transferred to your unit. docs/forwarding.md explains it.",
)


def _language(request):
    # The API's paths carry no language prefix, so LocaleMiddleware keeps Chinese; a case
    # system asks for English with Accept-Language.
    return translation.get_language_from_request(request, check_path=False)


def _private(response):
    # Clues are for the unit alone: no cache on the way keeps them.
    response["Cache-Control"] = "no-store, private"


def _error(request, status, code, message, errors=None):
    body = {"code": code, "message": str(message)}
    if errors is not None:
        body["errors"] = errors
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
        return _error(request, 422, "invalid", _("Some of the request is not valid."), errors)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    with translation.override(_language(request)):
        return _error(request, exc.status, exc.code, exc.message)


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
        unit_clues(request.auth.unit)
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


class RevealIn(Schema):
    reason: str = Field(
        min_length=4,
        max_length=500,
        pattern=r"^[^\x00]*$",
        description="Why the reporter's identity is needed: four characters at least, "
        "leading and trailing spaces left out. Recorded in the clue's ledger.",
    )


class ReporterOut(Schema):
    details: dict = Field(description="The named reporter's details as they gave them.")


def _summary(clue):
    return {
        "tracking_number": clue.tracking_number,
        "status": clue.status,
        "category": clue.category.slug,
        "region": clue.region.code if clue.region_id else None,
        "is_key": clue.is_key,
        "created_at": clue.created_at,
        "updated_at": getattr(clue, "updated_at", None),
        "acknowledge_due_at": clue.acknowledge_due_at,
        "feedback_due_at": clue.feedback_due_at,
        "overdue_since": clue.overdue_since,
    }


def _latest_entry():
    return Subquery(
        LedgerEntry.objects.filter(clue=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    )


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
    clues = unit_clues(request.auth.unit).select_related("category", "region")
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
    page = list(clues.annotate(updated_at=_latest_entry()).order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [_summary(clue) for clue in page],
        "next_cursor": _cursor(page[-1].pk) if more else None,
    }


@api.get(
    "/clues/{tracking_number}",
    response={200: ClueDetail, **ERRORS},
    openapi_extra=NUL_REFUSED,
    summary="One clue of your unit",
)
def get_clue(
    request, response: HttpResponse, tracking_number: str = Path(..., pattern=TRACKING_NUMBER)
):
    _require(request, Scope.READ)
    _private(response)
    clue = _clue(request, tracking_number)
    clue.updated_at = clue.ledger.order_by("-at", "-pk").values_list("at", flat=True).first()
    return {
        **_summary(clue),
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
        "transfers": list(clue.transfers.filter(to_unit=request.auth.unit)),
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
    # The ledger's actor is a person; a key is not one, so the entry names the key instead.
    ledger.record(
        clue,
        LedgerEntry.Action.EVIDENCE_DOWNLOADED,
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
            )
        except TransitionError as error:
            raise ApiError(409, "not_revealed", str(error)) from error
    return {"details": details}


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
