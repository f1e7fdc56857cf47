"""Every action, in every state, by every demo staff member, through the admin's HTTP views.

Who may act is read from the transitions table (reporting/lifecycle/transitions.py), the
one place the rule is written, and turned into demo people by their role on this clue: the
views, the state machine and the scope rules must all agree with it. A refused action shows
why and changes nothing; an allowed one goes through; a person who cannot see the clue gets
404. Every row of the table is walked, so a new action cannot go untested.
"""

from django.contrib.messages import get_messages
from django.urls import reverse

import pytest

from reporting.factories import clue_at
from reporting.lifecycle.transitions import TRANSITIONS
from reporting.models import Clue, LedgerEntry, Membership, Unit

from .test_admin_review import act, as_user

pytestmark = pytest.mark.django_db
S, Role = Clue.Status, Membership.Role

# The clue is reported in Lubei district, Tangshan, and verified by the Tangshan office.
INTAKE = {"intake-hebei"}
SUPERVISORS = {"supervisor-hebei", "supervisor-tangshan"}
VERIFIER = {"verifier-tangshan"}
SIGNERS = {"signer1-tangshan", "signer2-tangshan", "signer3-tangshan"}
EVERYONE = sorted(
    INTAKE
    | SUPERVISORS
    | VERIFIER
    | SIGNERS
    | {"verifier-hebei", "signer1-hebei", "signer2-hebei", "signer3-hebei"}
)
WITH_TANGSHAN = {S.TRANSFERRED, S.ACKNOWLEDGED, S.VERIFYING, S.CONCLUDED, S.FEEDBACK, S.CLOSED}


def people_with(role, state):
    """The demo people who hold `role` on the clue in this state: intake and supervisors by
    region, always; the Tangshan unit's verifier and signatories while it holds the clue.
    The Hebei unit's verifier and signatories never do."""
    if role == Role.INTAKE:
        return INTAKE
    if role == Role.SUPERVISOR:
        return SUPERVISORS
    if state not in WITH_TANGSHAN:
        return set()
    return {Role.VERIFIER: VERIFIER, Role.SIGNATORY: SIGNERS}[role]


# action -> {state: people who may take it}, from the table
ALLOWED = {
    name: {
        state: set().union(*(people_with(role, state) for role in transition.roles_in(state)))
        for state in S.values
        if state in transition.states
    }
    for name, transition in TRANSITIONS.items()
}

DATA = {
    "accept": {},
    "reject": {"reason": "out_of_scope", "note": "不属于涉黑涉恶线索"},
    "mark_key": {},
    "transfer": {"mode": "direct_review", "deadline": "2099-01-01", "note": "提级"},
    "acknowledge": {},
    "progress": {"note": "走访了知情人"},
    "conclude": {"finding": "partly", "outcome": "administrative_case", "text": "部分属实"},
    "sign": {},
    "feedback": {"text": "感谢您的举报，已依法处理。"},
    "close": {},
    "reopen": {"reason": "群众再次反映，回头看"},
    "ask": {"body": "请补充具体时间"},
}

REFUSALS = ("您对该线索的角色不允许此操作。", "状态时，不能")


def sees(username, state):
    """Who can open the clue: intake and supervisors by region, the unit's staff while it
    holds the clue."""
    if username in INTAKE | SUPERVISORS:
        return True
    return username in VERIFIER | SIGNERS and state in WITH_TANGSHAN


def clue_in(state, staff):
    """A clue walked through the service layer to `state`, by the demo staff of Hebei and
    Tangshan (the factory's defaults where the demo is loaded, as `staff` makes sure)."""
    clue = clue_at(state)
    assert clue.status == state
    return clue


def snapshot(clue):
    clue = Clue.objects.get(pk=clue.pk)
    return (
        clue.status,
        clue.unit_id,
        # Opening the page is recorded (once an hour per person); a refused action is not.
        clue.ledger.exclude(action=LedgerEntry.Action.VIEWED).count(),
        clue.messages.count(),
        clue.transfers.count(),
        clue.conclusions.count(),
        sum(conclusion.signatures.count() for conclusion in clue.conclusions.all()),
    )


def post(user, clue, action):
    """The messages the action left for the next page (or the status code, when not 302):
    the page itself is not rendered, which would double the time of this matrix."""
    data = dict(DATA[action])
    if action == "transfer":
        data["to_unit"] = Unit.objects.get(code="national").pk
    response = act(user, clue, action, data, follow=False)
    if response.status_code != 302:
        return response.status_code
    # With each message's level: a refusal is never said as a success.
    return " ".join(
        f"{message.level_tag}: {message}" for message in get_messages(response.wsgi_request)
    )


@pytest.mark.parametrize("state", S.values)
def test_refused_actions_in_each_state(staff, state):
    clue = clue_in(state, staff)
    before = snapshot(clue)
    page_url = reverse("clues:inspect", args=[clue.pk])
    for username in EVERYONE:
        user = staff[username]
        if not sees(username, state):
            assert as_user(user).get(page_url).status_code == 404, username
            for action in ALLOWED:
                assert post(user, clue, action) == 404, (username, action)
            continue
        html = as_user(user).get(page_url).content.decode()
        for action, by_state in ALLOWED.items():
            allowed = username in by_state.get(state, set())
            offered = reverse("clues:act", args=[clue.pk, action]) in html
            assert offered == allowed, (username, action, "offered" if offered else "missing")
            if allowed:
                continue
            said = post(user, clue, action)
            assert any(refusal in said for refusal in REFUSALS), (username, action, said)
            assert "success:" not in said
            assert snapshot(clue) == before, (username, action)


ALLOWED_CASES = [
    (action, state, username)
    for action, by_state in ALLOWED.items()
    for state, people in by_state.items()
    for username in sorted(people)
]


@pytest.mark.parametrize(("action", "state", "username"), ALLOWED_CASES)
def test_allowed_actions_go_through(staff, action, state, username):
    clue = clue_in(state, staff)
    entries = clue.ledger.count()
    said = post(staff[username], clue, action)
    # What was done, in words: the transition's own message on the clue as it now stands.
    assert said == f"success: {TRANSITIONS[action].done_message(Clue.objects.get(pk=clue.pk))}"
    assert clue.ledger.count() > entries
    assert clue.ledger.order_by("-pk").first().actor == staff[username]


def test_every_action_of_the_table_is_walked():
    assert set(DATA) == set(TRANSITIONS)
    assert all(ALLOWED[name] for name in TRANSITIONS), "an action no one may ever take"
