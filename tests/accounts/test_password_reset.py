"""A forgotten password: the answer and the work done in the request are the same for every
address; the mail is the worker's, through the outbox; requests are limited per address and
per client, and past a limit the answer is still the same."""

import logging
import re
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from django_tasks_db.models import DBTaskResult

from portal.factories import UserFactory
from reporting.models import OutgoingMail
from tests.conftest import StaffClient

from .conftest import sign_in

pytestmark = pytest.mark.django_db

RESET = "/admin/password_reset/"
KNOWN = "reviewer@example.test"
UNKNOWN = "nobody-here@example.test"
CLIENT, OTHER_CLIENT = "203.0.113.9", "198.51.100.44"
CSRF_TOKEN = re.compile(r'"CSRF_TOKEN": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def ask(address, client_address=CLIENT, browser=None):
    return (browser or StaffClient()).post(RESET, {"email": address}, REMOTE_ADDR=client_address)


def queued(**where):
    """The reset tasks waiting, as the lists of account ids they carry."""
    tasks = DBTaskResult.objects.filter(task_path="accounts.passwords.send_reset_mail", **where)
    return [task.args_kwargs["args"][0] for task in tasks.order_by("enqueued_at")]


def run_worker():
    call_command("run_worker", "--batch", verbosity=0, stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def known(member):
    member.email = KNOWN
    member.save()
    return member


def test_known_and_unknown_addresses_get_the_same_answer_for_the_same_work(known):
    ask("warming-up@example.test", client_address="192.0.2.1")  # first-request lookups
    answers = {}
    for address in (KNOWN, UNKNOWN):
        browser = StaffClient()
        with CaptureQueriesContext(connection) as queries:
            response = ask(address, browser=browser)
        # The statements, values left out: the same queries, in the same order.
        work = tuple(query["sql"][:60] for query in queries.captured_queries)
        done = browser.get(response["Location"])
        answers[address] = (
            response.status_code,
            response["Location"],
            done.status_code,
            CSRF_TOKEN.sub("", done.content.decode()),
            work,
        )
    assert answers[KNOWN] == answers[UNKNOWN]
    assert answers[KNOWN][:2] == (302, "/admin/password_reset/done/")
    assert len(answers[KNOWN][-1]) == 2  # the lookup and the queued task
    # Nothing of the mail was made in the request: no outbox row, no mail.
    assert OutgoingMail.objects.count() == 0
    assert mail.outbox == []
    assert sorted(queued()) == [[], [], [known.pk]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sends_a_known_address_one_mail_through_the_outbox(member):
    member.email = KNOWN
    member.save()
    ask(KNOWN)
    ask(UNKNOWN)
    run_worker()

    [row] = OutgoingMail.objects.all()
    assert row.recipients == [KNOWN] and row.sent_at is not None
    [message] = mail.outbox
    assert message.to == [KNOWN]
    link = re.search(
        r"https://portal\.example\.test(/admin/password_reset/confirm/\S+/)", message.body
    )
    assert link, message.body
    # The link works: a new password, and the old one no longer signs in.
    browser = StaffClient()
    form = browser.get(link.group(1), follow=True)
    assert form.status_code == 200
    new = "a-new-long-passphrase-7731"
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert sign_in(StaffClient(), "reviewer", password=new).status_code == 302


def test_the_fourth_request_in_the_window_for_one_address_queues_nothing(known, settings, caplog):
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 3
    answers = []
    with caplog.at_level(logging.WARNING):
        for n in range(4):  # from four clients: the address is what is counted
            response = ask(KNOWN.upper() if n % 2 else KNOWN, client_address=f"192.0.2.{n}")
            answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    assert queued() == [[known.pk]] * 3
    assert "for one address" in caplog.text
    for secret in (KNOWN, "192.0.2."):
        assert secret not in caplog.text.lower()


def test_many_addresses_from_one_client_are_limited(known, settings, caplog):
    limit = settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    for n in range(limit):
        ask(f"someone{n}@example.test")
    with caplog.at_level(logging.WARNING):
        response = ask(KNOWN)
    assert (response.status_code, response["Location"]) == (302, "/admin/password_reset/done/")
    assert queued() == [[]] * limit
    assert "from one client" in caplog.text and CLIENT not in caplog.text
    # The same address from another client is still served.
    ask(KNOWN, client_address=OTHER_CLIENT)
    assert queued()[-1] == [known.pk]


def test_accounts_that_cannot_reset_get_the_same_answer_and_no_task_for_them(known):
    inactive = UserFactory(username="gone", email="gone@example.test", is_active=False)
    no_password = UserFactory(username="sso", email="sso@example.test")
    no_password.set_unusable_password()
    no_password.save()
    for address in (inactive.email, no_password.email):
        response = ask(address)
        assert (response.status_code, response["Location"]) == (302, "/admin/password_reset/done/")
    assert queued() == [[], []]


@pytest.mark.parametrize(
    "address",
    ["", "not-an-address", "x" * 300 + "@example.test", "reviewer@example.test\x00", "@", " "],
)
def test_bad_input_is_refused_on_the_form_and_counts_nothing(known, address):
    response = ask(address)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert queued() == []


def test_the_reset_page_is_the_portals(known):
    response = StaffClient().get(RESET)
    assert response.status_code == 200
    assert reverse("wagtailadmin_password_reset") == RESET
    assert type(response.context["form"]).__module__ == "accounts.forms"
