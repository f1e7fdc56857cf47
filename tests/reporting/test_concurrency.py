import re
import threading
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override

import pytest
from captcha.models import CaptchaStore

import reporting.demo
from reporting.factories import ClueFactory
from reporting.intake.antispam import issue_stamp
from reporting.lifecycle import protection
from reporting.models import Category, Clue, LedgerEntry, OutgoingMail, ProtectionRequest
from tests.concurrency import at_once

THREADS, PER_THREAD = 8, 25


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_200_concurrent_reports_get_200_distinct_tracking_numbers(site_tree, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is measured against PostgreSQL, as production runs")
    # 200 reports from one address in a minute: a load test raises the flood limit explicitly.
    settings.REPORT_RATE_LIMIT = 10_000
    reporting.demo.load()
    category = Category.objects.get(slug="gang-crime").pk
    receipts, errors = [], []

    def reporter(worker):
        client = Client()
        try:
            for n in range(PER_THREAD):
                html = client.get("/report/").content.decode()
                key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
                token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
                answer = CaptchaStore.objects.get(hashkey=key).response
                response = client.post(
                    "/report/",
                    {
                        "category": category,
                        "what_happened": f"并发举报 {worker}-{n}",
                        "when": "unknown",
                        "officials_shield": "unknown",
                        "identity": "anonymous",
                        "agree": "on",
                        "party-TOTAL_FORMS": "0",
                        "party-INITIAL_FORMS": "0",
                        "captcha_0": key,
                        "captcha_1": answer,
                        "submission_token": token,
                        # Sent as a person would, a minute after the form was opened.
                        "issued": issue_stamp(token, at=time.time() - 60),
                    },
                )
                assert response.status_code == 302, response.status_code
                receipt = client.get(response["Location"]).content.decode()
                receipts.append(re.search(r'id="tracking-number"[^>]*>([^<]+)<', receipt).group(1))
        except Exception as error:  # collected and reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reporter, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(receipts) == THREADS * PER_THREAD
    assert len(set(receipts)) == THREADS * PER_THREAD
    assert Clue.objects.count() == THREADS * PER_THREAD
    assert Clue.objects.values("tracking_number").distinct().count() == THREADS * PER_THREAD


# Two protection messages at once: lifecycle/protection.ask() locks the clue's row, so the
# second is added to the request the first opened. To be sure they really overlap, the test
# holds that row lock itself (tests.concurrency.at_once), lets both asks start together, waits
# until PostgreSQL shows both blocked on it, and only then lets go: whichever goes first, the
# outcome is the same.

FEAR, SUFFERED = "（测试）有人放话要报复我。", "（测试）今天店门被砸了。"


def _assert_one_request_holding_both(clue, staff):
    item = ProtectionRequest.objects.get(clue=clue)
    assert item.is_open and item.source == ProtectionRequest.Source.STATUS_PAGE
    # "suffered" whichever message came first: a later "fear" never lowers it.
    assert item.kind == ProtectionRequest.Kind.SUFFERED
    assert sorted(m["text"] for m in protection.messages(item)) == sorted([FEAR, SUFFERED])
    entries = clue.ledger.filter(action=LedgerEntry.Action.PROTECTION_REQUESTED)
    # In the order they were written (each ask's time is taken before it waits for the lock).
    assert [entry.note for entry in entries.order_by("pk")] == ["", "added"]
    link = reverse("protection_request", args=[item.pk])
    mails = OutgoingMail.objects.filter(body__contains=link)
    assert sorted(mail.recipients for mail in mails) == [[staff["supervisor-hebei"].email]] * 2
    assert all(FEAR not in mail.body + mail.subject for mail in mails)
    return item, mails


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_protection_asks_at_once_make_one_request_holding_both(staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    clue = ClueFactory()
    status_page = ProtectionRequest.Source.STATUS_PAGE
    answers = at_once(
        [
            lambda: protection.ask(clue, ProtectionRequest.Kind.FEAR, FEAR, status_page),
            lambda: protection.ask(clue, ProtectionRequest.Kind.SUFFERED, SUFFERED, status_page),
        ],
        holding=Clue.objects.filter(pk=clue.pk),
    )
    item, mails = _assert_one_request_holding_both(clue, staff)
    assert sorted(added for _item, added in answers) == [False, True]
    assert {found.pk for found, _added in answers} == {item.pk}
    # Both in the portal's language, as queue_mail renders them: one opened, one added.
    with override(settings.LANGUAGE_CODE):
        subjects = [
            gettext("A reporter added to a request for protection"),
            gettext("A reporter asks for protection"),
        ]
    assert sorted(mail.subject for mail in mails) == sorted(subjects)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_protection_forms_sent_at_once_make_one_request_holding_both(staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    clue = ClueFactory()
    tabs = []
    for _tab in range(2):
        tab = Client()
        receipt = {"tracking_number": clue.tracking_number, "access_key": clue.access_key}
        assert tab.post("/en/report/status/", receipt).status_code == 302
        tabs.append(tab)

    def send(tab, kind, details):
        response = tab.post("/en/report/status/protection/", {"kind": kind, "details": details})
        return response.status_code

    answers = at_once(
        [lambda: send(tabs[0], "fear", FEAR), lambda: send(tabs[1], "suffered", SUFFERED)],
        holding=Clue.objects.filter(pk=clue.pk),
    )
    assert answers == [302, 302]
    _assert_one_request_holding_both(clue, staff)
    page = tabs[0].get("/en/report/status/").content.decode()
    assert "Add to my request" in page
