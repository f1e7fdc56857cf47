"""Acting on clues through the units' API: the whole loop from transfer to feedback by a case
system alone, the same rulebook as the admin, idempotent retries, stale versions, limits and
bad inputs."""

import json
import re
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

import pytest

from reporting.factories import clue_at, members
from reporting.models import Clue, Delivery, LedgerEntry, Membership, OutgoingMail
from unitapi.models import ApiKey, IdempotentCall

from .conftest import API, bearer

Role = Membership.Role
# Of the form the API gives, naming no clue's version.
FAKE_VERSION = '"' + "0" * 20 + '"'


def version(client, key, clue):
    response = client.get(f"{API}/clues/{clue.tracking_number}", **bearer(key))
    assert response.status_code == 200, response.content
    assert response["ETag"] == response.json()["version"]
    return response["ETag"]


def write(client, key, clue, action, body=None, *, match=None, idempotency=None, raw=None, **h):
    """POST an action as a case system would: its own Idempotency-Key and the clue's version
    read just before, unless the test gives them (False: leave the header out)."""
    headers = {**bearer(key), **h}
    if match is None:
        match = version(client, key, clue)
    if match is not False:
        headers["HTTP_IF_MATCH"] = match
    if idempotency is None:
        idempotency = uuid.uuid4().hex
    if idempotency is not False:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency
    content = raw if raw is not None else json.dumps(body if body is not None else {})
    return client.post(
        f"{API}/clues/{clue.tracking_number}/{action}",
        content,
        content_type="application/json",
        **headers,
    )


def ok(response):
    assert response.status_code == 200, response.content.decode()
    return response.json()


def refused(response, status, code):
    assert response.status_code == status, response.content.decode()
    assert response.json()["code"] == code, response.json()
    return response.json()


def test_the_whole_loop_through_the_api_alone_and_the_reporter_reads_the_answer(client, world):
    clue, key = world["clue"], world["right"]
    signatories = members(world["unit"], Role.SIGNATORY, 3)

    assert ok(write(client, key, clue, "acknowledge"))["status"] == "acknowledged"
    assert (
        ok(write(client, key, clue, "progress", {"note": "已调取市场东门监控。"}))["status"]
        == "verifying"
    )
    ok(write(client, key, clue, "questions", {"body": "赌场在几楼？"}))
    body = {"finding": "substantiated", "outcome": "criminal_case", "text": "查证属实，已立案。"}
    drafted = ok(write(client, key, clue, "conclusion", body))
    assert drafted["status"] == "verifying"
    conclusion = client.get(f"{API}/clues/{clue.tracking_number}", **bearer(key)).json()[
        "conclusion"
    ]
    assert conclusion["signed_by"] == [] and conclusion["signatures_required"] == 3
    for signatory in signatories:
        answer = ok(
            write(client, key, clue, "signatures",
                  {"signatory": signatory.username, "conclusion_id": conclusion["id"]})
        )  # fmt: skip
    assert answer["status"] == "concluded"
    answer = ok(write(client, key, clue, "feedback", {"text": "您举报的问题查证属实，已立案。"}))
    assert answer["status"] == "feedback"

    # The reporter reads the question and the answer with the receipt alone.
    unlocked = client.post(
        "/report/status/",
        {"tracking_number": clue.tracking_number, "access_key": clue.access_key},
    )
    assert unlocked.status_code == 302
    page = client.get("/report/status/").content.decode()
    assert "赌场在几楼？" in page and "您举报的问题查证属实，已立案。" in page

    # The same ledger as the admin writes, the key's own account named as the actor and each
    # signatory for their signature.
    account = clue.ledger.get(action="acknowledged").actor
    row = ApiKey.objects.get(account=account)
    assert key.split("_")[1] == row.prefix and row.name == "case system"
    entries = list(clue.ledger.exclude(action__in=["viewed"]).order_by("pk"))
    by_action = {e.action: e for e in entries}
    for action in ["acknowledged", "progress", "staff_asked", "conclusion_drafted", "feedback"]:
        assert by_action[action].actor == account, action
    signed = [e for e in entries if e.action == "signed"]
    assert [e.actor for e in signed] == signatories
    assert all(e.note.endswith(f"api:{account.first_name} ({key.split('_')[1]})") for e in signed)
    assert str(account).startswith("case-system.api-")
    # Each signatory is told a signature was recorded in their name, and by which key.
    for signatory in signatories:
        mail = OutgoingMail.objects.get(recipients=[signatory.email])
        assert clue.tracking_number in mail.body and "case system" in mail.body


def test_the_keys_account_cannot_sign_in_and_is_not_the_units_staff(client, world):
    clue, key = world["clue"], world["right"]
    ok(write(client, key, clue, "acknowledge"))
    account = clue.ledger.get(action="acknowledged").actor
    assert not account.is_active and not account.has_usable_password()
    assert not Membership.objects.filter(user=account).exists()
    assert not account.groups.exists() and not account.is_staff


WRITES = {
    "acknowledge": {},
    "progress": {"note": "走访了两户村民。"},
    "questions": {"body": "您还记得车牌号吗？"},
    "conclusion": {"finding": "partly", "outcome": "no_action", "text": "部分属实。"},
    "signatures": {"signatory": "nobody"},
    "feedback": {"text": "已处理。"},
    "transfer": {"to_unit": "r130203", "mode": "normal", "deadline": "2099-01-01"},
}


@pytest.mark.parametrize("action", WRITES)
@pytest.mark.parametrize("key", [None, "revoked", "expired", "garbage"])
def test_an_action_without_a_live_key_is_401_and_changes_nothing(client, world, action, key):
    clue = world["clue"]
    secret = {None: None, "garbage": "ucs_12345678_nope"}.get(key, world.get(key))
    before = clue.ledger.count()
    response = write(client, secret, clue, action, WRITES[action], match=FAKE_VERSION)
    refused(response, 401, "unauthenticated")
    assert clue.ledger.count() == before


@pytest.mark.parametrize("action", WRITES)
def test_an_action_needs_the_act_scope(client, world, action):
    key = ApiKey.issue(unit=world["unit"], name="reader", scopes=["read", "evidence"])[1]
    refused(write(client, key, world["clue"], action, WRITES[action]), 403, "missing_scope")


@pytest.mark.parametrize("action", WRITES)
def test_another_units_key_cannot_act_on_the_clue(client, world, action):
    response = write(
        client, world["other_unit"], world["clue"], action, WRITES[action], match=FAKE_VERSION
    )
    # Before anything about the body: the clue is not theirs to know of.
    refused(response, 404, "not_found")


def test_a_refused_action_says_why_in_the_request_language_with_the_clue_as_it_stands(
    client, world
):
    clue, key = world["clue"], world["right"]
    body = {"finding": "substantiated", "outcome": "criminal_case", "text": "查证属实。"}
    error = refused(write(client, key, clue, "conclusion", body), 409, "wrong_status")
    assert error["state"] == {"status": "transferred", "version": version(client, key, clue)}
    assert re.search("[\u4e00-\u9fff]", error["message"]) and "possible" not in error["message"]
    english = write(client, key, clue, "conclusion", body, HTTP_ACCEPT_LANGUAGE="en")
    assert refused(english, 409, "wrong_status")["message"] == (
        "“draft a conclusion” is not possible while the clue is “transferred for verification”."
    )
    assert not clue.conclusions.exists()


def test_a_repeat_with_the_same_key_and_body_gives_the_first_answer_and_acts_once(client, world):
    clue, key = world["other"], world["right"]
    first_version = version(client, key, clue)
    first = write(client, key, clue, "progress", {"note": "第一次走访。"}, idempotency="visit-1")
    answer = ok(first)
    # Sent again after the answer was lost: the version it names is no longer the clue's,
    # and the same answer comes back all the same, once.
    again = write(
        client, key, clue, "progress", {"note": "第一次走访。"},
        idempotency="visit-1", match=first_version,
    )  # fmt: skip
    assert ok(again) == answer and again["Idempotent-Replayed"] == "true"
    assert again["ETag"] == answer["version"]
    assert clue.ledger.filter(action="progress").count() == 1
    # The same key for another body is a mistake, said as such.
    other = write(client, key, clue, "progress", {"note": "第二次走访。"}, idempotency="visit-1")
    refused(other, 409, "idempotency_key_reused")
    assert clue.ledger.filter(action="progress").count() == 1
    # Members in another order are the same body.
    reordered = write(
        client, key, clue, "progress", raw='{"note":"第一次走访。"}', idempotency="visit-1"
    )
    assert ok(reordered) == answer


def test_a_key_is_kept_for_the_configured_hours_only(client, world, settings):
    clue, key = world["other"], world["right"]
    ok(write(client, key, clue, "progress", {"note": "走访。"}, idempotency="k"))
    IdempotentCall.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.UNIT_API_IDEMPOTENCY_HOURS, seconds=1)
    )
    ok(write(client, key, clue, "progress", {"note": "走访。"}, idempotency="k"))
    assert clue.ledger.filter(action="progress").count() == 2
    assert IdempotentCall.objects.count() == 1


def test_a_refused_action_is_not_kept_for_its_key(client, world):
    clue, key = world["clue"], world["right"]
    body = {"note": "还没确认收到就记进展。"}
    refused(write(client, key, clue, "progress", body, idempotency="p"), 409, "wrong_status")
    assert not IdempotentCall.objects.filter(key="p").exists()
    ok(write(client, key, clue, "acknowledge"))
    # The same key again, now that the action is allowed: it acts, as a first call would.
    ok(write(client, key, clue, "progress", body, idempotency="p"))
    assert clue.ledger.filter(action="progress").count() == 1


def test_a_stale_version_is_412_and_overwrites_nothing(client, world):
    clue, key = world["other"], world["right"]
    seen = version(client, key, clue)
    ok(write(client, key, clue, "progress", {"note": "同事先记了一条。"}))
    stale = write(client, key, clue, "progress", {"note": "我看到的是旧版本。"}, match=seen)
    error = refused(stale, 412, "stale")
    assert error["state"]["version"] == version(client, key, clue) != seen
    assert not clue.ledger.filter(note="我看到的是旧版本。").exists()


@pytest.mark.parametrize("header", ["*", 'W/"1"', "1", '"abc"', '"1", "2"', "", '"' + "0" * 21])
def test_an_if_match_not_of_the_apis_form_is_400(client, world, header):
    response = write(client, world["right"], world["clue"], "acknowledge", match=header)
    refused(response, 400, "version_required")


def test_a_version_of_another_clue_is_412(client, world):
    other = version(client, world["right"], world["other"])
    response = write(client, world["right"], world["clue"], "acknowledge", match=other)
    refused(response, 412, "stale")


def test_an_action_without_its_headers_is_refused_for_what_is_missing(client, world):
    clue, key = world["clue"], world["right"]
    refused(write(client, key, clue, "acknowledge", match=False), 400, "version_required")
    for bad in [False, "", "x" * 201, "钥匙", "with space"]:
        response = write(client, key, clue, "acknowledge", idempotency=bad)
        refused(response, 400, "idempotency_key_required")
    assert clue.ledger.filter(action="acknowledged").count() == 0


def test_a_key_over_its_rate_is_429_with_retry_after(client, world, settings):
    cache.clear()
    settings.UNIT_API_REQUESTS_PER_MINUTE = 3
    key = world["right"]
    for _ in range(3):
        assert client.get(f"{API}/clues", **bearer(key)).status_code == 200
    response = client.get(f"{API}/clues", **bearer(key), HTTP_ACCEPT_LANGUAGE="en")
    refused(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another key is counted apart.
    assert client.get(f"{API}/clues", **bearer(world["other_unit"])).status_code == 200
    cache.clear()


def test_a_body_over_the_size_limit_is_413(client, world, settings):
    settings.UNIT_API_MAX_BODY_BYTES = 1024
    response = write(client, world["right"], world["other"], "progress", {"note": "长" * 1000})
    refused(response, 413, "too_large")


BAD_BODIES = {
    "malformed JSON": '{"note": ',
    "not an object": '["note"]',
    "wrong type": '{"note": 12}',
    "unknown field": '{"note": "走访。", "status": "closed"}',
    "too long": json.dumps({"note": "长" * 10_001}),
    "NUL byte": json.dumps({"note": "走访\u0000。"}),
    "only spaces": json.dumps({"note": " \u3000\n "}),
    "only separators": json.dumps({"note": "\u001c\u001f"}),
    "missing": "{}",
    "no body at all": "",
}


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_bad_body_is_422_and_changes_nothing(client, world, body):
    clue = world["other"]
    before = clue.ledger.count()
    response = write(client, world["right"], clue, "progress", raw=BAD_BODIES[body])
    refused(response, 422, "invalid")
    assert clue.ledger.count() == before


def test_the_reporter_call_refuses_unknown_fields(client, world):
    response = client.post(
        f"{API}/clues/{world['clue'].tracking_number}/reporter",
        json.dumps({"reason": "电话核实身份", "force": True}),
        content_type="application/json",
        **bearer(world["right"]),
    )
    refused(response, 422, "invalid")
    assert not world["clue"].ledger.filter(action="reporter_revealed").exists()


def test_acknowledge_takes_no_body_at_all(client, world):
    assert ok(write(client, world["right"], world["clue"], "acknowledge", raw=""))


def test_acknowledge_refuses_fields_too(client, world):
    response = write(client, world["right"], world["clue"], "acknowledge", {"force": True})
    refused(response, 422, "invalid")


@pytest.fixture
def drafted(client, world):
    clue, key = world["other"], world["right"]
    body = {"finding": "substantiated", "outcome": "criminal_case", "text": "查证属实。"}
    ok(write(client, key, clue, "conclusion", body))
    return clue.conclusions.get()


def test_a_signature_by_someone_not_a_signatory_of_the_unit_is_refused(client, world, drafted):
    clue, key = world["other"], world["right"]
    verifier = members(world["unit"], Role.VERIFIER)[0]
    elsewhere = members(world["elsewhere"].unit, Role.SIGNATORY)[0]
    for name in [verifier.username, elsewhere.username, "no-such-person"]:
        response = write(client, key, clue, "signatures", {"signatory": name})
        refused(response, 422, "not_a_signatory")
    assert not drafted.signatures.exists()


def test_the_same_signatory_twice_is_refused(client, world, drafted):
    clue, key = world["other"], world["right"]
    signatory = members(world["unit"], Role.SIGNATORY)[0]
    ok(write(client, key, clue, "signatures", {"signatory": signatory.username}))
    again = write(client, key, clue, "signatures", {"signatory": signatory.username})
    error = refused(again, 409, "already_signed")
    assert error["state"]["status"] == "verifying"
    assert drafted.signatures.count() == 1


def test_a_signature_on_a_redrafted_conclusion_is_refused(client, world, drafted):
    clue, key = world["other"], world["right"]
    body = {"finding": "partly", "outcome": "no_action", "text": "改稿：部分属实。"}
    ok(write(client, key, clue, "conclusion", body))
    signatory = members(world["unit"], Role.SIGNATORY)[0]
    response = write(
        client, key, clue, "signatures",
        {"signatory": signatory.username, "conclusion_id": drafted.pk},
    )  # fmt: skip
    refused(response, 409, "conclusion_redrafted")


def test_an_inactive_signatory_cannot_sign(client, world, drafted):
    signatory = members(world["unit"], Role.SIGNATORY)[0]
    signatory.is_active = False
    signatory.save()
    response = write(
        client, world["right"], world["other"], "signatures", {"signatory": signatory.username}
    )
    refused(response, 422, "not_a_signatory")


def test_a_transfer_onward_goes_by_the_same_rules_and_the_clue_leaves_the_unit(client, world):
    clue, key = world["other"], world["right"]
    county = world["unit_for"](world["region"])
    county.webhook_url = "https://cases.example.org/hook"
    county.save()
    body = {"to_unit": county.code, "mode": "normal", "deadline": "2099-06-30", "note": "请核查"}
    answer = ok(write(client, key, clue, "transfer", body, idempotency="onward"))
    assert answer["status"] == "transferred"
    clue.refresh_from_db()
    assert clue.unit == county
    assert client.get(f"{API}/clues/{clue.tracking_number}", **bearer(key)).status_code == 404
    # A retry after the clue has left still gets the first answer.
    again = write(client, key, clue, "transfer", body, idempotency="onward", match=FAKE_VERSION)
    assert ok(again) == answer
    # The county's own case system now holds it, and a webhook told it where to read it.
    assert Delivery.objects.filter(transfer__clue=clue, transfer__to_unit=county).exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"to_unit": "r130100", "mode": "normal", "deadline": "2099-01-01"}, 409,
         "destination_refused"),
        ({"to_unit": "r130200", "mode": "normal", "deadline": "2099-01-01"}, 409, "same_unit"),
        ({"to_unit": "nowhere", "mode": "normal", "deadline": "2099-01-01"}, 422,
         "unknown_unit"),
        ({"to_unit": "r130203", "mode": "normal", "deadline": "2020-01-01"}, 422,
         "deadline_passed"),
        ({"to_unit": "r130203", "mode": "sideways", "deadline": "2099-01-01"}, 422, "invalid"),
        ({"to_unit": "r130203", "mode": "normal", "deadline": "2099-02-30"}, 422, "invalid"),
    ],
)  # fmt: skip
def test_a_transfer_the_rules_refuse_is_refused(client, world, body, status, code):
    world["unit_for"](world["region"])
    clue = world["other"]
    refused(write(client, world["right"], clue, "transfer", body), status, code)
    clue.refresh_from_db()
    assert clue.unit == world["unit"]


def test_each_action_is_offered_only_where_the_rulebook_allows(client, world):
    """A clue just transferred: nothing but acknowledging, asking and passing it on."""
    clue, key = world["clue"], world["right"]
    refused(write(client, key, clue, "progress", WRITES["progress"]), 409, "wrong_status")
    refused(write(client, key, clue, "feedback", WRITES["feedback"]), 409, "wrong_status")
    ok(write(client, key, clue, "questions", WRITES["questions"]))
    ok(write(client, key, clue, "acknowledge"))
    refused(write(client, key, clue, "acknowledge"), 409, "wrong_status")


def test_a_closed_clue_takes_no_more_notes(client, world):
    clue = clue_at(Clue.Status.CLOSED, to_unit=world["unit"])
    response = write(client, world["right"], clue, "progress", WRITES["progress"])
    assert refused(response, 409, "wrong_status")["state"]["status"] == "closed"
    assert not LedgerEntry.objects.filter(clue=clue, action="progress").exists()


def test_an_action_costs_a_bounded_number_of_queries(client, world, django_assert_num_queries):
    clue, key = world["clue"], world["right"]
    match = version(client, key, clue)
    # 19, and 8 that keep the statistics: the clue's facts derived (4) and compared with the
    # stored ones (1), then replaced (2) and the daily sums corrected (1).
    with django_assert_num_queries(27):
        ok(write(client, key, clue, "acknowledge", match=match))


def test_the_list_gives_each_clues_version(client, world):
    items = client.get(f"{API}/clues", **bearer(world["right"])).json()["items"]
    assert {item["tracking_number"]: item["version"] for item in items} == {
        clue.tracking_number: version(client, world["right"], clue)
        for clue in (world["clue"], world["other"])
    }
    assert all(re.fullmatch(r'"[0-9a-f]{20}"', item["version"]) for item in items)


def test_the_periodic_job_forgets_answers_past_the_retention(client, world, settings):
    from portal import registry
    from unitapi import calls

    clue, key = world["other"], world["right"]
    ok(write(client, key, clue, "progress", {"note": "旧的。"}, idempotency="old"))
    ok(write(client, key, clue, "progress", {"note": "新的。"}, idempotency="new"))
    IdempotentCall.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=settings.UNIT_API_IDEMPOTENCY_HOURS, seconds=1)
    )
    assert calls.forget_old_answers() == 1
    assert list(IdempotentCall.objects.values_list("key", flat=True)) == ["new"]
    assert "unitapi.tasks.forget_old_answers" in {
        task.module_path for task in registry.periodic_tasks()
    }
