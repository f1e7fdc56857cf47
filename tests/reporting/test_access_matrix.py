"""Every route of the reporting app and of the clue admin, tried as each kind of person.

The table is the rule written out by hand. The routes are read from the URL resolver, so a
route added to the reporting app or under the admin's reporting/ section without a row here
fails `test_every_route_has_a_row`. Each cell says what the person gets:

- "ok": the page, the file or the action;
- "login": sent to the sign-in page; "second factor": sent to the second-factor step;
- "denied": refused outright (403, or Wagtail's redirect to the dashboard saying so);
- "404": the clue is not there for this person, which says nothing about whether it exists;
- "refused": back on the clue's page, told the role does not allow the action;
- "status": sent to the status lookup, where nothing shows without a tracking key;
- "shown once": back on the clue's page, told its access key was shown once and is not kept.

The clue is reported in Lubei district, Tangshan, screened by the Hebei office, transferred to
the Tangshan office, and waits for its signatures; it has one photo, kept also as an original.
"""

from urllib.parse import urlsplit

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest

from portal.factories import SuperuserFactory, UserFactory
from reporting.evidence import checks as evidence
from reporting.factories import clue_at
from reporting.lifecycle import protection
from reporting.lifecycle import review as workflow
from reporting.lifecycle.roles import add_member
from reporting.models import BulkJob, Category, Clue, Membership, Unit
from tests.conftest import StaffClient

from . import samples

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "password only",  # the intake reviewer, signed in without the second factor
    "editor",
    "intake",
    "verifier elsewhere",  # of the province's office, while the Tangshan office holds the clue
    "signatory",  # of the Tangshan office
    "supervisor elsewhere",  # of another province's office
    "superuser",
)
OK, LOGIN, OTP, DENIED, GONE, REFUSED, STATUS, ONCE = (
    "ok",
    "login",
    "second factor",
    "denied",
    "404",
    "refused",
    "status",
    "shown once",
)


def row(*cells):
    return dict(zip(ROLES, cells, strict=True))


# Nobody reaches the admin before both steps of the sign-in.
SIGN_IN = (LOGIN, OTP)
PUBLIC_PAGE = row(*[OK] * len(ROLES))
# Staff being signed in changes nothing on the reporter's side: without the key, no clue.
TO_STATUS = row(*[STATUS] * len(ROLES))
SUPERUSER_ONLY = row(*SIGN_IN, DENIED, DENIED, DENIED, DENIED, DENIED, OK)
REPORTING_STAFF = row(*SIGN_IN, DENIED, OK, OK, OK, OK, OK)
SUPERVISORS = row(*SIGN_IN, DENIED, DENIED, DENIED, DENIED, OK, OK)
NOBODY = row(*SIGN_IN, *[DENIED] * 6)
# The clue's page and its files: the region's intake, the holding unit's staff; not an editor,
# a verifier of another unit or a supervisor of another subtree (404: they cannot tell that it
# exists).
THIS_CLUE = row(*SIGN_IN, GONE, OK, GONE, OK, GONE, OK)

# route name -> what each role gets
MATRIX = {
    # The reporter's side.
    "reporting:report": PUBLIC_PAGE,
    "reporting:receipt": TO_STATUS,  # a receipt is shown once, to the browser that reported
    "reporting:status": PUBLIC_PAGE,
    "reporting:reply": TO_STATUS,
    "reporting:add_evidence": TO_STATUS,
    "reporting:leave": TO_STATUS,
    "reporting:protection": TO_STATUS,
    # The clue admin.
    "clues:index": REPORTING_STAFF,
    "clues:index_results": REPORTING_STAFF,
    "clues:inspect": THIS_CLUE,
    # Asking the reporter a question: the intake reviewer may, and a superuser, who acts as
    # intake and supervisor; a signatory only signs.
    "clues:act": row(*SIGN_IN, GONE, OK, GONE, REFUSED, GONE, OK),
    "clues:evidence": THIS_CLUE,
    # Recording a reporter's follow-up: intake, supervisors and superusers open the page (a
    # supervisor elsewhere finds only the clues of their own subtree by number); verifiers
    # and signatories are not offered it.
    "clues:follow_up": row(*SIGN_IN, DENIED, OK, DENIED, DENIED, OK, OK),
    # Entering a clue taken by phone, letter, visit or referral: intake and superusers.
    "clues:enter": row(*SIGN_IN, DENIED, OK, DENIED, DENIED, DENIED, OK),
    # A receipt and its reply slip exist only in the session of who entered the clue.
    "clues:receipt": row(*SIGN_IN, GONE, ONCE, GONE, ONCE, GONE, ONCE),
    "clues:reply_slip": row(*SIGN_IN, GONE, ONCE, GONE, ONCE, GONE, ONCE),
    "clues:receipt_done": THIS_CLUE,
    # The bulk form, for a ticked clue: every role in reporting may open it (each clue is
    # then checked by the single action's rules); a bulk action's page is its asker's (the
    # intake reviewer's here) and the administrators'.
    "clues:bulk": REPORTING_STAFF,
    "clues:bulk_jobs": REPORTING_STAFF,
    "clues:bulk_job": row(*SIGN_IN, DENIED, OK, GONE, GONE, GONE, OK),
    # The original, with its metadata: supervisors of the clue's subtree and superusers only.
    "clues:evidence_original": row(*SIGN_IN, GONE, GONE, GONE, GONE, GONE, OK),
    "clue_statistics": SUPERVISORS,
    "ledger:index": SUPERVISORS,
    "ledger:index_results": SUPERVISORS,
    **{
        f"{viewset}:{view}": SUPERUSER_ONLY
        for viewset in ("categories", "units", "memberships")
        for view in (
            "index",
            "index_results",
            "add",
            "edit",
            "delete",
            "history",
            "history_results",
            "usage",
        )
    },
    "categories:reorder": SUPERUSER_ONLY,
    # A protection request: the supervisors it is routed to (the Tangshan office's, not among
    # these people) and superusers; to anyone else it is not there.
    **{
        f"protection_{view}": row(*SIGN_IN, GONE, GONE, GONE, GONE, GONE, OK)
        for view in ("request", "measures", "answer")
    },
    # Clues and the ledger point at their units: a unit is never deleted, by anyone.
    "units:delete": NOBODY,
}
# Exports are the index routes with a parameter: the same rows, tried again.
EXPORTS = {"clues:index": "csv", "ledger:index": "xlsx"}
POSTED = {
    "reporting:reply",
    "reporting:add_evidence",
    "reporting:leave",
    "reporting:protection",
    "clues:act",
    "clues:receipt_done",
}


def routes():
    """Names of the routes of the reporting app and of the admin's reporting/ section."""

    def walk(resolver, prefix, namespaces):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ([pattern.namespace] if pattern.namespace else [])
                yield from walk(pattern, prefix + str(pattern.pattern), spaces)
            elif isinstance(pattern, URLPattern):
                yield ":".join([*namespaces, pattern.name or "?"]), prefix + str(pattern.pattern)

    found = set()
    for name, route in walk(get_resolver(), "", []):
        if name.startswith("reporting:") or "admin/reporting/" in route:
            found.add(name)
    return found


def test_every_route_has_a_row():
    found = routes()
    assert found - MATRIX.keys() == set(), "new routes: add them to the access matrix"
    assert MATRIX.keys() - found == set(), "routes that no longer exist"
    assert len(found) >= 40  # the walk did reach the admin's routes


@pytest.fixture
def scene(staff):
    with override_settings(EVIDENCE_KEEP_ORIGINALS=True):
        photo = evidence.process("photo.jpg", samples.jpeg_with_gps())
    clue = clue_at(
        Clue.Status.VERIFYING,
        what_happened="市场里有人收保护费",
        where="某市场",
        submission_token="access-matrix",
        files=[photo],
        to_unit=Unit.objects.get(code="r130200"),
    )
    intake = staff["intake-hebei"]
    asked, _added = protection.ask(clue, "fear", "有人威胁我", "report")
    clue.refresh_from_db()
    assert clue.status == Clue.Status.VERIFYING

    editor = UserFactory(username="editor-demo")
    editor.groups.add(Group.objects.get(name="Editors"))
    elsewhere = UserFactory(username="supervisor-beijing")
    add_member(elsewhere, Unit.objects.get(code="r110000"), Membership.Role.SUPERVISOR)
    people = {
        "anonymous": None,
        "password only": intake,
        "editor": editor,
        "intake": intake,
        "verifier elsewhere": staff["verifier-hebei"],
        "signatory": staff["signer1-tangshan"],
        "supervisor elsewhere": elsewhere,
        "superuser": SuperuserFactory(username="root-demo"),
    }
    category = Category.objects.order_by("pk").first()
    membership = Membership.objects.order_by("pk").first()
    unit = Unit.objects.get(code="r130200")
    item = clue.evidence.get()
    args = {
        "clues:inspect": [clue.pk],
        "clues:act": [clue.pk, "ask"],
        "clues:evidence": [clue.pk, item.pk],
        "clues:evidence_original": [clue.pk, item.pk],
        "clues:receipt": [clue.pk],
        "clues:reply_slip": [clue.pk],
        "clues:receipt_done": [clue.pk],
        "clues:bulk_job": [BulkJob.objects.create(action="mark_key", actor=intake).pk],
        "categories:reorder": [category.pk],
        **{f"protection_{view}": [asked.pk] for view in ("request", "measures", "answer")},
    }
    for viewset, obj in (("categories", category), ("units", unit), ("memberships", membership)):
        for view in ("edit", "delete", "history", "history_results", "usage"):
            args[f"{viewset}:{view}"] = [obj.pk]
    return {"clue": clue, "people": people, "args": args}


def client_for(role, person):
    client = StaffClient()
    if person is not None:
        client.force_login(person, second_factor=role != "password only")
    return client


def request(client, name, scene, query=""):
    url = reverse(name, args=scene["args"].get(name, [])) + query
    if name == "clues:act":
        clue = scene["clue"]
        data = {
            "ask-body": "请补充具体时间",
            "ask-seen": workflow.last_decision(clue),
            "ask-conclusion": workflow.current_conclusion(clue).pk,
        }
        return client.post(url, data)
    if name == "clues:bulk":
        return client.get(url, {"id": scene["clue"].pk})
    if name == "categories:reorder":
        return client.post(url, {"position": 0})
    if name in ("protection_measures", "protection_answer"):
        return client.post(url, {"text": "已安排巡逻"})
    if name in POSTED:
        return client.post(url, {})
    return client.get(url)


def outcome(response):
    """What the person got, in the words of the table."""
    if response.status_code == 404:
        return GONE
    if response.status_code == 403:
        return DENIED
    if response.status_code == 200:
        return OK
    assert response.status_code == 302, response.status_code
    target = urlsplit(response["Location"]).path
    told = list(get_messages(response.wsgi_request))
    said = " ".join(str(message) for message in told)
    if target == reverse("wagtailadmin_login"):
        return LOGIN
    if target == reverse("accounts_verify"):
        return OTP
    if target == reverse("reporting:status"):
        return STATUS
    if target == reverse("wagtailadmin_home"):
        assert "权限" in said, said
        return DENIED
    if target.startswith(reverse("clues:index")) and any("shown-once" in m.tags for m in told):
        return ONCE
    if target.startswith(reverse("clues:index")):
        if told and all(message.level_tag == "success" for message in told):
            return OK
        assert "您对该线索的角色不允许此操作。" in said, said
        return REFUSED
    if target.startswith("/admin/reporting/categories/"):  # reorder answers by redirect
        return OK
    if target.startswith("/admin/reporting/protection/"):  # measures and answer, recorded
        return OK
    raise AssertionError(f"unexpected redirect to {target}: {said}")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(scene, role):
    person = scene["people"][role]
    got, expected = {}, {}
    for name, cells in sorted(MATRIX.items()):
        got[name] = outcome(request(client_for(role, person), name, scene))
        expected[name] = cells[role]
        if name in EXPORTS:
            query = f"?export={EXPORTS[name]}"
            response = request(client_for(role, person), name, scene, query)
            got[f"{name} {query}"] = outcome(response)
            expected[f"{name} {query}"] = cells[role]
            if cells[role] == OK:
                assert response["Content-Disposition"].startswith("attachment")
    assert got == expected
