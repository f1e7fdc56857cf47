"""The queue and the clue's page as a reviewer reads them: the order said in words, numbers
grouped as the receipt prints them, a key-clue column in the reader's language, messages
that name what was done, and a transfer form offering only the units the rules allow."""

import re
from datetime import timedelta

from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _

import pytest

from reporting.factories import ClueFactory, members
from reporting.intake.receipts import format_tracking_number
from reporting.lifecycle import destinations
from reporting.lifecycle import review as workflow
from reporting.lifecycle.forms import TransferForm
from reporting.lifecycle.transitions import TRANSITIONS, TransitionError
from reporting.models import Clue, Membership, Transfer, Unit

from .helpers import act, as_user

pytestmark = pytest.mark.django_db

S, Mode = Clue.Status, Transfer.Mode


def queue(user, **query):
    return as_user(user).get(reverse("clues:index"), query).content.decode()


def table(html):
    return re.search(r"<table class=\"listing\">.*?</table>", html, re.S).group(0)


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_queue_is_newest_first_and_says_so(staff):
    now = timezone.now()
    oldest, newest, middle = ClueFactory(), ClueFactory(), ClueFactory()
    for clue, days in ((oldest, 9), (newest, 1), (middle, 5)):
        Clue.objects.filter(pk=clue.pk).update(created_at=now - timedelta(days=days))
    html = queue(staff["intake-hebei"])
    rows = table(html)
    positions = [rows.index(format_tracking_number(c.tracking_number)) for c in (newest, middle)]
    positions.append(rows.index(format_tracking_number(oldest.tracking_number)))
    assert positions == sorted(positions)
    assert _("Newest clues first. Select a column heading to sort by it.") in html
    # The heading of the date received carries the arrow of a descending sort: a click on it
    # turns the order round.
    header = re.search(r'<a href="[^"]*\?ordering=created_at"[^>]*class="([^"]*)"', rows)
    assert header and "teal" in header.group(1)


def test_another_order_is_said_in_words(staff):
    ClueFactory()
    html = queue(staff["intake-hebei"], ordering="feedback_due_at")
    label = str(Clue._meta.get_field("feedback_due_at").verbose_name)
    assert escape(_("Sorted by “%(column)s”, ascending.") % {"column": capfirst(label)}) in html


def test_tracking_numbers_are_grouped_as_on_the_receipt(staff):
    clue = ClueFactory()
    rows = table(queue(staff["intake-hebei"]))
    url = reverse("clues:inspect", args=[clue.pk])
    link = re.search(rf'<a href="{url}">\s*([^<]+?)\s*</a>', rows)
    assert link.group(1) == format_tracking_number(clue.tracking_number)
    assert " " in link.group(1)
    detail = as_user(staff["intake-hebei"]).get(url).content.decode()
    assert f"<dd>{format_tracking_number(clue.tracking_number)}</dd>" in detail


def test_the_key_clue_column_is_neutral_and_in_chinese(staff):
    key, plain = ClueFactory(), ClueFactory()
    Clue.objects.filter(pk=key.pk).update(is_key=True)
    rows = table(queue(staff["intake-hebei"]))
    cells = re.findall(r"<tr>.*?</tr>", rows, re.S)
    key_row = next(row for row in cells if format_tracking_number(key.tracking_number) in row)
    plain_row = next(row for row in cells if format_tracking_number(plain.tracking_number) in row)
    # No red cross for an ordinary clue, no English words for screen readers.
    assert "icon-cross" not in rows
    assert not re.search(r"\b(True|False|None)\b", rows)
    tag = re.compile(r'<span class="w-status[^"]*">\s*重点线索\s*</span>')
    assert tag.search(key_row)
    assert not tag.search(plain_row)
    assert _("Not a key clue") in plain_row


def test_the_narrow_screen_keeps_number_status_and_date(staff):
    ClueFactory()
    rows = table(queue(staff["intake-hebei"]))
    headers = []
    for attrs, body in re.findall(r"<th([^>]*)>(.*?)</th>", rows, re.S):
        sort = re.search(r"ordering=-?(\w+)", body)
        headers.append((attrs, sort.group(1) if sort else body.strip()))
    kept = {name for attrs, name in headers if "clue-queue__wide" not in attrs}
    assert kept == {"tracking_number", "status", "created_at"}
    # The channel is among the columns that give way; the repeat cluster's column is shown
    # only where clusters are listed (test_repeat_clusters.py), and gives way too.
    assert len(headers) == 10
    assert "channel" in {name for attrs, name in headers if "clue-queue__wide" in attrs}


# --- what the messages say ----------------------------------------------------------------


def test_every_action_says_what_was_done():
    assert all(transition.done for transition in TRANSITIONS.values())


def test_transfer_and_refusal_messages_name_what_happened(staff):
    tangshan = Unit.objects.get(code="r130200")
    clue = ClueFactory()
    response = act(staff["intake-hebei"], clue, "reject", {"reason": "out_of_scope"}, follow=False)
    reason = Clue.NotAccepted("out_of_scope").label
    (message,) = said(response)
    assert str(reason) in message
    assert format_tracking_number(clue.tracking_number) in message

    clue = ClueFactory(status=S.SCREENED)
    response = act(
        staff["intake-hebei"],
        clue,
        "transfer",
        {"to_unit": tangshan.pk, "mode": "normal", "deadline": "2099-01-01"},
        follow=False,
    )
    (message,) = said(response)
    assert message == _("Clue %(number)s transferred to %(unit)s.") % {
        "number": format_tracking_number(clue.tracking_number),
        "unit": tangshan.label,
    }
    assert _("Done.") not in message


def test_a_question_and_a_signature_are_named(staff):
    clue = ClueFactory(status=S.SCREENED)
    response = act(staff["intake-hebei"], clue, "ask", {"body": "请问具体地址？"}, follow=False)
    assert said(response) == [_("Question sent to the reporter.")]

    clue = ClueFactory(status=S.VERIFYING)
    (signer, *_others) = members(clue.unit, Membership.Role.SIGNATORY, count=3)
    response = act(signer, clue, "sign", follow=False)
    assert said(response) == [
        _("Signed: %(count)s of %(required)s signatures.") % {"count": 1, "required": 3}
    ]


# --- the transfer form --------------------------------------------------------------------


@pytest.fixture
def lubei_case(staff):
    """A clue of Lubei district held by the Lubei office, and that office's verifier."""
    lubei = Unit.objects.get(code="r130203")
    clue = ClueFactory(status=S.ACKNOWLEDGED, region="130203", to_unit=lubei)
    (verifier,) = members(lubei, Membership.Role.VERIFIER)
    return clue, verifier


def accepted_somehow(clue, user, unit):
    """Whether the transfer service itself takes this unit in one mode or another."""
    for mode in Mode.values:
        try:
            with transaction.atomic():
                workflow.transfer(
                    Clue.objects.get(pk=clue.pk),
                    user,
                    to_unit=unit,
                    mode=mode,
                    deadline=timezone.now() + timedelta(days=5),
                )
                transaction.set_rollback(True)
        except TransitionError:
            continue
        return True
    return False


def test_a_verifier_is_offered_exactly_the_units_the_service_accepts(lubei_case):
    clue, verifier = lubei_case
    form = TransferForm(prefix="transfer", user=verifier, clue=clue)
    offered = set(form.fields["to_unit"].queryset)
    assert offered == {
        unit for unit in Unit.objects.all() if accepted_somehow(clue, verifier, unit)
    }
    codes = {unit.code for unit in offered}
    # Up the tree (upgrade, direct review), away from the city (off-site); never the office
    # that holds it, nor a neighbour in the same city, which is neither above, below nor away.
    assert {"national", "r130000", "r130200", "r130100", "r440000"} <= codes
    assert "r130203" not in codes
    assert "r130281" not in codes


def test_the_page_offers_only_those_units(lubei_case):
    clue, verifier = lubei_case
    html = as_user(verifier).get(reverse("clues:inspect", args=[clue.pk])).content.decode()
    select = re.search(r'<select name="transfer-to_unit".*?</select>', html, re.S).group(0)
    values = set(re.findall(r'<option value="(\d+)"', select))
    assert values == {str(unit.pk) for unit in destinations.offered(clue, verifier)}
    assert str(Unit.objects.get(code="r130281").pk) not in values


@pytest.mark.parametrize(
    ("code", "mode"),
    [("r130281", "off_site"), ("r130281", "normal"), ("r130203", "normal"), ("r440000", "normal")],
)
def test_a_forged_choice_is_refused(lubei_case, code, mode):
    clue, verifier = lubei_case
    transfers = clue.transfers.count()
    response = act(
        verifier,
        clue,
        "transfer",
        {"to_unit": Unit.objects.get(code=code).pk, "mode": mode, "deadline": "2099-01-01"},
        follow=False,
    )
    assert response.status_code == 302
    assert said(response)
    assert clue.transfers.count() == transfers
    clue.refresh_from_db()
    assert clue.unit.code == "r130203"
    assert clue.status == S.ACKNOWLEDGED


def test_the_category_listing_reads_yes_and_no_in_chinese(admin_client, staff):
    from reporting.models import Category

    Category.objects.filter(slug="routine-loans").update(active=False)
    html = admin_client.get(reverse("categories:index")).content.decode()
    rows = table(html)
    assert not re.search(r"\b(True|False)\b", rows)
    hidden = re.findall(r'<span class="w-sr-only">\s*(\S+)\s*</span>', rows)
    assert {"是", "否"} <= set(hidden), hidden
