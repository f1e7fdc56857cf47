"""The one rulebook of a clue's life: every staff action once, with the statuses it applies
to, the roles offered it, its label, its form and the service that performs it.

The state machine (review.py) checks its services against these rows; the admin offers and
refuses actions by them; the status page takes from them what the reporter is told; the
admin matrix test walks them. Adding an action is one row here and one service in review.py
(declared with `@performs(name)`); adding a status is one line on the model and its place in
the model's status groups and in the rows below.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reporting.intake.receipts import format_tracking_number
from reporting.lifecycle import forms
from reporting.lifecycle.scope import roles_on
from reporting.models import SIGNATURES_REQUIRED, Clue, LedgerEntry, Membership

S, Role, Action = Clue.Status, Membership.Role, LedgerEntry.Action


class TransitionError(Exception):
    """An action that the clue's state or the person's role does not allow. `code` names
    the refusal for a machine (the units' API answers with it); the message is for people."""

    def __init__(self, message, code="refused"):
        super().__init__(message)
        self.code = code


class StaleClue(TransitionError):
    """Someone acted on the clue since the page or the call that is acting saw it."""

    def __init__(self, message):
        super().__init__(message, code="stale")


def transfer_roles(status):
    """Intake sends a screened clue on; once a unit holds it, its verifier passes it on."""
    if status == S.SCREENED:
        return {Role.INTAKE, Role.SUPERVISOR}
    return {Role.VERIFIER, Role.SUPERVISOR}


@dataclass
class Transition:
    name: str
    # The admin's button, and the word for the action in the admin's refusals.
    label: Promise
    # The action inside a sentence, in the refusals of the service.
    verb: Promise
    states: frozenset
    # The roles offered the action, or a function of the clue's status giving them.
    roles: frozenset | Callable
    form: type[forms.ActionForm]
    # What the status page tells the reporter, for the ledger entries this action writes.
    tells_reporter: dict = field(default_factory=dict)
    # What the admin tells the person once the action is done: a function of the clue as it
    # now stands, so the message names what happened ("transferred to <unit>"), never a bare
    # "done".
    done: Callable | None = None
    # Set by @performs on the service in review.py.
    service: Callable | None = None

    def done_message(self, clue):
        return str(self.done(clue))

    def roles_in(self, status):
        return self.roles(status) if callable(self.roles) else self.roles

    def offered(self, roles, status):
        """Whether someone with these roles on a clue in this status is offered the action."""
        return status in self.states and bool(set(roles) & self.roles_in(status))

    def check(self, clue, user):
        if clue.status not in self.states:
            raise TransitionError(
                _("“%(action)s” is not possible while the clue is “%(status)s”.")
                % {"action": self.verb, "status": clue.get_status_display()},
                code="wrong_status",
            )
        roles = self.roles_in(clue.status)
        if not roles_of(user, clue) & roles:
            raise TransitionError(
                _("Only %(roles)s responsible for this clue may do “%(action)s”.")
                % {
                    "roles": ", ".join(str(Role(role).label) for role in sorted(roles)),
                    "action": self.verb,
                },
                code="wrong_role",
            )


def _number(clue):
    # As the reporter's receipt prints it, so staff and reporter read the same number.
    return format_tracking_number(clue.tracking_number)


def _accepted(clue):
    if clue.is_key:
        return _("Clue %(number)s accepted as a key clue.") % {"number": _number(clue)}
    return _("Clue %(number)s accepted.") % {"number": _number(clue)}


def _not_accepted(clue):
    return _("Clue %(number)s not accepted: %(reason)s.") % {
        "number": _number(clue),
        "reason": clue.get_not_accepted_reason_display(),
    }


def _transferred(clue):
    return _("Clue %(number)s transferred to %(unit)s.") % {
        "number": _number(clue),
        "unit": clue.unit.label,
    }


def _signed(clue):
    if clue.status == S.CONCLUDED:
        return _("Signed. The conclusion now stands; the reporter can be given feedback.")
    conclusion = clue.conclusions.filter(stood_at=None, withdrawn_at=None).order_by("-pk").first()
    count = conclusion.signatures.count() if conclusion else 0
    return _("Signed: %(count)s of %(required)s signatures.") % {
        "count": count,
        "required": SIGNATURES_REQUIRED,
    }


BEFORE_CONCLUSION = frozenset({S.ACKNOWLEDGED, S.VERIFYING})

TRANSITIONS = {
    transition.name: transition
    for transition in (
        Transition(
            "accept",
            gettext_lazy("Accept"),
            gettext_lazy("accept"),
            frozenset({S.SUBMITTED}),
            frozenset({Role.INTAKE}),
            forms.AcceptForm,
            {Action.ACCEPTED: gettext_lazy("Your report was accepted for verification.")},
            done=_accepted,
        ),
        Transition(
            "reject",
            gettext_lazy("Do not accept"),
            gettext_lazy("not accept"),
            frozenset({S.SUBMITTED}),
            frozenset({Role.INTAKE}),
            forms.RejectForm,
            {Action.NOT_ACCEPTED: gettext_lazy("Your report was not accepted.")},
            done=_not_accepted,
        ),
        Transition(
            "mark_key",
            gettext_lazy("Mark as a key clue"),
            gettext_lazy("mark as a key clue"),
            frozenset({S.SUBMITTED, *Clue.BEING_VERIFIED}),
            frozenset({Role.INTAKE, Role.SUPERVISOR}),
            forms.EmptyForm,
            done=lambda clue: (
                _("Clue %(number)s marked as a key clue.") % {"number": _number(clue)}
            ),
        ),
        Transition(
            "transfer",
            gettext_lazy("Transfer to a unit"),
            gettext_lazy("transfer"),
            frozenset(Clue.BEING_VERIFIED),
            transfer_roles,
            forms.TransferForm,
            {
                Action.TRANSFERRED: gettext_lazy(
                    "Your report was passed to the office responsible for checking it."
                )
            },
            done=_transferred,
        ),
        Transition(
            "acknowledge",
            gettext_lazy("Acknowledge receipt"),
            gettext_lazy("acknowledge"),
            frozenset({S.TRANSFERRED}),
            frozenset({Role.VERIFIER}),
            forms.EmptyForm,
            {
                Action.ACKNOWLEDGED: gettext_lazy(
                    "The responsible office started work on your report."
                )
            },
            done=lambda clue: _("Receipt of the clue acknowledged."),
        ),
        Transition(
            "progress",
            gettext_lazy("Record progress"),
            gettext_lazy("record progress"),
            BEFORE_CONCLUSION,
            frozenset({Role.VERIFIER}),
            forms.NoteForm,
            done=lambda clue: _("Progress recorded."),
        ),
        Transition(
            "conclude",
            gettext_lazy("Draft the conclusion"),
            gettext_lazy("draft a conclusion"),
            BEFORE_CONCLUSION,
            frozenset({Role.VERIFIER}),
            forms.ConclusionForm,
            done=lambda clue: (
                _("Conclusion drafted. It stands once %(required)s signatories have signed it.")
                % {"required": SIGNATURES_REQUIRED}
            ),
        ),
        Transition(
            "sign",
            gettext_lazy("Sign the conclusion"),
            gettext_lazy("sign the conclusion"),
            frozenset({S.VERIFYING}),
            frozenset({Role.SIGNATORY}),
            forms.SignForm,
            # The last signature makes the conclusion stand.
            {Action.CONCLUDED: gettext_lazy("The check is finished.")},
            done=_signed,
        ),
        Transition(
            "feedback",
            gettext_lazy("Give feedback to the reporter"),
            gettext_lazy("give feedback"),
            frozenset({S.CONCLUDED}),
            frozenset({Role.INTAKE, Role.VERIFIER, Role.SUPERVISOR}),
            forms.FeedbackForm,
            {Action.FEEDBACK: gettext_lazy("We gave you our answer.")},
            done=lambda clue: _("Feedback given: the reporter sees it on the status page."),
        ),
        Transition(
            "close",
            gettext_lazy("Close"),
            gettext_lazy("close"),
            frozenset({S.FEEDBACK}),
            frozenset({Role.INTAKE, Role.SUPERVISOR}),
            forms.EmptyForm,
            {Action.CLOSED: gettext_lazy("Your report is closed.")},
            done=lambda clue: _("Clue %(number)s closed.") % {"number": _number(clue)},
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen for look-back"),
            gettext_lazy("reopen"),
            frozenset(Clue.ENDED),
            frozenset({Role.INTAKE, Role.SUPERVISOR}),
            forms.ReasonForm,
            {Action.REOPENED: gettext_lazy("Your report is being looked at again.")},
            done=lambda clue: (
                _("Clue %(number)s reopened for look-back.") % {"number": _number(clue)}
            ),
        ),
        Transition(
            "ask",
            gettext_lazy("Ask the reporter"),
            gettext_lazy("ask the reporter"),
            frozenset(S),
            frozenset({Role.INTAKE, Role.VERIFIER, Role.SUPERVISOR}),
            forms.QuestionForm,
            {Action.STAFF_ASKED: gettext_lazy("We asked you a question.")},
            done=lambda clue: _("Question sent to the reporter."),
        ),
    )
}


def roles_of(user, clue):
    """This person's roles on this clue; administrators act as intake and supervisor."""
    roles = roles_on(user, clue)
    if user.is_superuser:
        roles |= {Role.INTAKE, Role.SUPERVISOR}
    return roles


def lock(clue):
    # of=("self",): PostgreSQL cannot lock the nullable side of the joins.
    return (
        Clue.objects.select_for_update(of=("self",))
        .select_related("region", "unit")
        .get(pk=clue.pk)
    )


def performs(name):
    """Declares the service of the action `name`: it runs in one transaction, on the clue's
    locked row, and only where this table allows it."""
    transition = TRANSITIONS[name]

    def declare(service):
        @functools.wraps(service)
        @transaction.atomic
        def checked(clue, user, **arguments):
            clue = lock(clue)
            transition.check(clue, user)
            return service(clue, user, **arguments)

        transition.service = checked
        return checked

    return declare


# What counts as "someone acted on this clue": decisions and questions by staff. Reading,
# downloading, exporting, reminders and the reporter's own additions do not make a page out
# of date, or a verifier's note would be refused because a colleague exported the queue.
DECISIONS = {
    Action.ACCEPTED,
    Action.NOT_ACCEPTED,
    Action.TRANSFERRED,
    Action.ACKNOWLEDGED,
    Action.PROGRESS,
    Action.CONCLUSION_DRAFTED,
    Action.SIGNED,
    Action.CONCLUDED,
    Action.FEEDBACK,
    Action.CLOSED,
    Action.REOPENED,
    Action.STAFF_ASKED,
    Action.SUBMITTED,
    Action.KEY_MARKED,
}


def last_decision(clue):
    """The ledger mark an action form carries: the newest decision on the clue."""
    return (
        clue.ledger.filter(action__in=DECISIONS).order_by("-pk").values_list("pk", flat=True)
    ).first()


def perform(name, clue, user, arguments, *, seen):
    """Take an action from a page that showed the clue as of the decision `seen`: refused
    when someone acted since, as the person decided on what is no longer there."""
    with transaction.atomic():
        lock(clue)
        if seen != last_decision(clue):
            raise StaleClue(
                _("Someone acted on this clue since you opened it. Check the page again.")
            )
        service = TRANSITIONS[name].service
        if service is None:  # review.py declares every service as it is imported
            raise LookupError(f"No service performs “{name}”: import reporting.lifecycle.review.")
        return service(clue, user, **arguments)


def reporter_words():
    """{ledger action: what the status page tells the reporter} for the staff's actions."""
    return {
        action: words
        for transition in TRANSITIONS.values()
        for action, words in transition.tells_reporter.items()
    }
