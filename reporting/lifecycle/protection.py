"""Protection requests (models/protection.py): who handles them, and every change to one, each
in one transaction with its ledger entry. What the reporter tells, the measures and the answer
are sealed at rest; the ledger and the emails carry none of it, only that something happened
and a link."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.evidence import crypto
from reporting.jobs.mail import queue_mail
from reporting.lifecycle.ledger import record
from reporting.lifecycle.scope import covers
from reporting.models import Clue, LedgerEntry, Membership, ProtectionRequest, Unit

Role = Membership.Role
Action = LedgerEntry.Action
PERMISSION = "reporting.view_protectionrequest"
# Kept off the clue's page, the ledger listing and its exports: they would tell the local unit
# that the reporter asked.
LEDGER_ACTIONS = (
    Action.PROTECTION_REQUESTED,
    Action.PROTECTION_VIEWED,
    Action.PROTECTION_MEASURES,
    Action.PROTECTION_ANSWERED,
)
MAX_TEXT = 5000


class AlreadyAnswered(Exception):
    """The request was answered meanwhile (by someone else, in another tab)."""


class ClueErased(Exception):
    """The clue's content was erased after its retention period: nothing is added to it."""


class Router:
    """Who handles a clue's protection request: the supervisors of one unit, decided by
    `unit_for`. Reads the intake offices and the supervisors once, so a queue page or the
    dashboard decides for every request it lists without a query each."""

    def __init__(self):
        self.intake_offices = list(
            Unit.objects.filter(memberships__role=Role.INTAKE).distinct().select_related("region")
        )
        self.supervisors = {}
        for path, user_id in Membership.objects.filter(role=Role.SUPERVISOR).values_list(
            "unit__path", "user_id"
        ):
            self.supervisors.setdefault(path, set()).add(user_id)

    def unit_for(self, clue):
        """The rule, in one place:

        - a clue sent for off-site verification (its off_site_local set): the verifying unit's
          parent, so that neither the local network nor the unit now in touch with the case
          reads it first;
        - any other clue a unit holds: that unit;
        - a clue no unit holds yet (new, screened, or back with intake): the most local intake
          office whose jurisdiction covers it, the office that screens it (the national
          office when none does).
        """
        if clue.unit_id:
            unit = clue.unit
            if clue.off_site_local and not unit.is_root():
                return unit.get_parent()
            return unit
        covering = [office for office in self.intake_offices if covers(office, clue)]
        if covering:
            return max(covering, key=lambda office: (office.depth, office.path))
        return Unit.get_first_root_node()

    def user_ids(self, clue):
        """The supervisors of the routed unit; a unit without any passes it to the nearest
        unit above that has some, so a request is never left with nobody."""
        unit = self.unit_for(clue)
        if unit is None:
            return set()
        path = unit.path
        while path:
            if path in self.supervisors:
                return self.supervisors[path]
            path = path[: -Unit.steplen]
        return set()


def routed_unit(clue):
    return Router().unit_for(clue)


def handlers(clue):
    """The active people with an email address who handle this clue's request."""
    users = get_user_model().objects.filter(pk__in=Router().user_ids(clue), is_active=True)
    return list(users.exclude(email=""))


def may_handle(user, clue, router=None):
    if not user.is_active or not user.has_perm(PERMISSION):
        return False
    if user.is_superuser:
        return True
    return user.pk in (router or Router()).user_ids(clue)


def open_requests_for(user, now=None):
    """The unanswered requests this person handles, their clues loaded, oldest first: the
    queue's marker and filter and the dashboard's figures. Requests are few (a reporter asks
    rarely), so the rule is applied in Python to all unanswered ones: four queries in all."""
    if not user.is_active or not user.has_perm(PERMISSION):
        return []
    # Read once per user object: the queue's filter and its marker column ask both.
    if not hasattr(user, "_protection_open"):
        requests = list(
            ProtectionRequest.objects.filter(answered_at=None).select_related(
                "clue__unit", "clue__region"
            )
        )
        if requests and not user.is_superuser:
            router = Router()
            requests = [item for item in requests if user.pk in router.user_ids(item.clue)]
        user._protection_open = requests
    return user._protection_open


def request_url(item):
    return settings.PORTAL_BASE_URL + reverse("protection_request", args=[item.pk])


def _messages(item):
    return crypto.open_sealed(item.messages_sealed)["messages"] if item.messages_sealed else []


def _measures(item):
    return crypto.open_sealed(item.measures_sealed)["measures"] if item.measures_sealed else []


def _dated(entries):
    return [{**entry, "at": datetime.fromisoformat(entry["at"])} for entry in entries]


def messages(item):
    """What the reporter told, oldest first, for the request's page."""
    return _dated(_messages(item))


def measures(item):
    return _dated(_measures(item))


def answer_text(item):
    return crypto.open_sealed(item.answer_sealed)["answer"] if item.answer_sealed else ""


def ask(clue, kind, text, source, now=None):
    """The reporter asks for protection: a new request, or, while one is open, their message
    added to it (and its kind raised to "suffered" when they say so). One transaction with the
    ledger entry and the email to those who handle it. Returns (request, added)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Two messages at once (two tabs) are taken one after the other: the second is added
        # to the request the first opened.
        clue = (
            Clue.objects.select_for_update(of=("self",))
            .select_related("unit", "region")
            .get(pk=clue.pk)
        )
        if clue.is_erased:
            raise ClueErased(clue.tracking_number)
        message = {"at": now.isoformat(), "kind": kind, "text": text}
        item = clue.protection_requests.filter(answered_at=None).first()
        added = item is not None
        if added:
            item.messages_sealed = crypto.seal({"messages": [*_messages(item), message]})
            if kind == ProtectionRequest.Kind.SUFFERED:
                item.kind = kind
            item.save(update_fields=["messages_sealed", "kind"])
        else:
            item = ProtectionRequest.objects.create(
                clue=clue,
                kind=kind,
                source=source,
                messages_sealed=crypto.seal({"messages": [message]}),
                opened_at=now,
                due_at=now + timedelta(days=settings.PROTECTION_RESPONSE_DAYS),
            )
        router = Router()
        record(
            clue,
            Action.PROTECTION_REQUESTED,
            at=now,
            unit=router.unit_for(clue),
            note="added" if added else "",
        )
        _notify(
            router,
            clue,
            _("A reporter added to a request for protection")
            if added
            else _("A reporter asks for protection"),
            _("Answer by %(due)s:\n%(url)s")
            % {
                "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                "url": request_url(item),
            },
        )
    return item, added


def _notify(router, clue, subject, body):
    emails = (
        get_user_model()
        .objects.filter(pk__in=router.user_ids(clue), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    queue_mail(list(emails), subject, body)


def record_view(item, user):
    """Every opening of the request's page is recorded, not one an hour as for clues: each
    look at what a reporter fears is accounted for."""
    with transaction.atomic():
        return record(item.clue, Action.PROTECTION_VIEWED, actor=user, unit=routed_unit(item.clue))


def add_measures(item, user, text, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        item = ProtectionRequest.objects.select_for_update().get(pk=item.pk)
        entry = {"at": now.isoformat(), "by": user.get_username(), "text": text}
        item.measures_sealed = crypto.seal({"measures": [*_measures(item), entry]})
        item.save(update_fields=["measures_sealed"])
        record(
            item.clue,
            Action.PROTECTION_MEASURES,
            actor=user,
            at=now,
            unit=routed_unit(item.clue),
        )
    return item


def answer(item, user, text, now=None):
    """Staff answer the reporter, who reads it on the status page; the request is closed by
    it, so a later message from the reporter opens a new one."""
    now = now or timezone.now()
    with transaction.atomic():
        item = ProtectionRequest.objects.select_for_update().get(pk=item.pk)
        if item.answered_at is not None:
            raise AlreadyAnswered(item.pk)
        item.answer_sealed = crypto.seal({"answer": text})
        item.answered_at = now
        item.save(update_fields=["answer_sealed", "answered_at"])
        record(
            item.clue,
            Action.PROTECTION_ANSWERED,
            actor=user,
            at=now,
            unit=routed_unit(item.clue),
        )
    return item


def remind_overdue(now=None):
    """Once per request: its handlers told by email that it is past its deadline (the periodic
    deadline check). Running it twice reminds nobody twice."""
    now = now or timezone.now()
    late = ProtectionRequest.objects.filter(
        answered_at=None, reminded_at=None, due_at__lt=now
    ).select_related("clue__unit", "clue__region")
    reminded = 0
    router = None
    for item in late:
        router = router or Router()
        with transaction.atomic():
            marked = ProtectionRequest.objects.filter(pk=item.pk, reminded_at=None).update(
                reminded_at=now
            )
            if not marked:
                continue
            _notify(
                router,
                item.clue,
                _("A request for protection is overdue"),
                _("It was to be answered by %(due)s:\n%(url)s")
                % {
                    "due": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                    "url": request_url(item),
                },
            )
        reminded += 1
    return reminded


def erase(clue, now):
    """With the clue's content at the end of its retention period (jobs/retention.py): what
    the reporter told, the measures and the answer go; the dates stay as the record."""
    return ProtectionRequest.objects.filter(clue=clue, content_erased_at=None).update(
        messages_sealed=b"", measures_sealed=None, answer_sealed=None, content_erased_at=now
    )


def reporter_view(clue):
    """What the reporter sees: each request's dates, and the answers given."""
    return [
        {
            "opened_at": item.opened_at,
            "due_at": item.due_at,
            "answered_at": item.answered_at,
            "answer": answer_text(item),
            "is_open": item.is_open,
        }
        for item in clue.protection_requests.filter(content_erased_at=None)
    ]
