"""A reporter rings the hotline (writes, comes in) again: intake take down what they say
against the tracking number they read out, through the admin page "Record a follow-up"."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from wagtail.users.models import UserProfile

import pytest

import reporting.demo
from reporting.factories import ClueFactory, clue_at
from reporting.intake.receipts import format_access_key, format_tracking_number
from reporting.jobs import retention
from reporting.lifecycle import reporter
from reporting.models import Clue, LedgerEntry, Message
from tests.conftest import StaffClient

from . import samples

pytestmark = pytest.mark.django_db

URL = "/admin/reporting/clues/follow-up/"
S, Action = Clue.Status, LedgerEntry.Action
NOT_FOUND = "No clue with this tracking number in your jurisdiction."


def speaking_english(user):
    """The admin speaks each person's own language: English here, so that the assertions
    hold before and after the Chinese catalogue is filled."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def intake(client, staff):
    client.force_login(speaking_english(staff["intake-hebei"]))
    return staff["intake-hebei"]


@pytest.fixture
def clue(staff):
    return ClueFactory(region="130203")


def post(client, clue_or_number, **fields):
    number = (
        clue_or_number
        if isinstance(clue_or_number, str)
        else format_tracking_number(clue_or_number.tracking_number)
    )
    data = {"tracking_number": number, "channel": "hotline", "body": "（测试）来电补充情况。"}
    data.update(fields)
    return client.post(URL, data)


def errors(response):
    return response.content.decode()


def test_a_call_is_stored_as_the_reporters_message(client, intake, clue):
    reporter.ask_reporter(clue, "（测试）哪个市场？", staff=intake)
    assert reporter.open_questions(clue)  # the call answers it
    response = post(client, clue, body="（测试）城南农贸市场，每周三来收钱。")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/reporting/clues/inspect/{clue.pk}/"
    message = clue.messages.get(sender=Message.Sender.REPORTER)
    assert message.body == "（测试）城南农贸市场，每周三来收钱。"
    assert message.author == intake
    entry = clue.ledger.get(action=Action.FOLLOW_UP_TAKEN)
    assert entry.actor == intake
    assert "hotline" in entry.note and intake.get_username() in entry.note
    assert reporter.open_questions(clue) == []  # answered, as a reply on the web would
    # The clue page names who took it down, and says so in the success message.
    page = client.get(response["Location"]).content.decode()
    assert "城南农贸市场" in page and "taken down by" in page
    assert "Follow-up recorded on clue" in page and "12337 hotline" in page


def test_the_reporter_sees_the_addition_on_the_status_page(client, intake, clue):
    post(client, clue, channel="letter", body="（测试）来信补充：收钱的人开白色面包车。")
    reporter_browser = Client()
    response = reporter_browser.post(
        "/report/status/",
        {"tracking_number": clue.tracking_number, "access_key": clue.access_key},
    )
    assert response.status_code == 302
    html = reporter_browser.get("/en/report/status/").content.decode()
    assert "收钱的人开白色面包车" in html
    assert "We took down what you told us by phone, by letter or in person." in html
    # Never who took it down.
    assert intake.get_username() not in html and intake.last_name not in html


def test_a_number_read_out_in_groups_or_full_width_is_found(client, intake, clue):
    number = clue.tracking_number
    spoken = f"{number[:3]}-{number[3:7]} {number[7:]}".translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert post(client, spoken).status_code == 302
    assert clue.messages.filter(sender=Message.Sender.REPORTER).exists()


def test_a_matching_access_key_is_confirmed(client, intake, clue):
    response = post(client, clue, access_key=format_access_key(clue.access_key).lower())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The access key the caller gave matches." in page


def test_a_wrong_access_key_is_said_and_nothing_is_lost(client, intake, clue):
    response = post(client, clue, access_key="0" * 20, body="（测试）长长的来电记录。")
    assert response.status_code == 400
    html = errors(response)
    assert "This access key does not match the tracking number." in html
    assert "（测试）长长的来电记录。" in html  # what was typed comes back
    assert not clue.messages.exists()
    assert not clue.ledger.filter(action=Action.FOLLOW_UP_TAKEN).exists()


def test_wrong_keys_are_throttled_as_on_the_status_page(client, intake, clue):
    # After two free attempts each waits longer than the last, as on the status page; a
    # wrong key typed too soon is not even checked.
    answers = [post(client, clue, access_key="0" * 20).status_code for _attempt in range(4)]
    assert answers[:3] == [400, 400, 400] and answers[3] == 429
    response = post(client, clue, access_key=clue.access_key)
    assert response.status_code == 429
    assert "Please wait" in errors(response)
    assert not clue.messages.exists()
    # Without the key, the follow-up can still be taken.
    assert post(client, clue).status_code == 302


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_text_is_refused(client, intake, clue, body):
    response = post(client, clue, body=body)
    assert response.status_code == 400
    assert "Write down what the caller said first." in errors(response)
    assert not clue.messages.exists()


def test_a_typo_in_the_number_is_caught_by_its_check_digit(client, intake, clue):
    number = clue.tracking_number
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = post(client, typo, body="（测试）保留的文字。")
    assert response.status_code == 400
    html = errors(response)
    assert "This tracking number has a typing error: check every digit." in html
    assert "（测试）保留的文字。" in html
    assert post(client, "12345").status_code == 400
    assert not Message.objects.exists()


def test_an_unknown_and_an_out_of_scope_number_get_the_same_answer(client, intake, clue):
    # Guangdong is outside the Hebei office's jurisdiction: the clue exists, but not for them.
    elsewhere = ClueFactory(region="440106")
    unknown = "000000000000"  # a valid check digit, no such clue
    answers = []
    for number in (unknown, format_tracking_number(elsewhere.tracking_number)):
        response = post(client, number, access_key="0" * 20)
        assert response.status_code == 404
        html = errors(response)
        assert NOT_FOUND in html
        assert "access key does not match" not in html
        answers.append(html.count(NOT_FOUND))
    assert answers[0] == answers[1]
    assert not elsewhere.messages.exists()
    assert not elsewhere.ledger.filter(action=Action.FOLLOW_UP_TAKEN).exists()
    # Even with the right key of the clue they cannot see.
    response = post(client, elsewhere, access_key=elsewhere.access_key)
    assert response.status_code == 404 and NOT_FOUND in errors(response)
    assert not elsewhere.ledger.filter(action=Action.FOLLOW_UP_TAKEN).exists()


def test_an_erased_clue_is_refused(client, intake):
    closed = clue_at(S.CLOSED)
    assert retention.erase(closed.pk, days=0) is not None
    response = post(client, closed)
    assert response.status_code == 409
    assert "content erased, so nothing more can be added" in errors(response)
    assert not closed.messages.exclude(body="").exists()
    assert not closed.ledger.filter(action=Action.FOLLOW_UP_TAKEN).exists()


def test_a_verifier_cannot_record_follow_ups(client, staff, clue):
    client.force_login(speaking_english(staff["verifier-tangshan"]))
    assert client.get(URL).status_code in (302, 403)
    assert post(client, clue).status_code in (302, 403)
    assert not clue.messages.exists()
    queue = client.get("/admin/reporting/clues/").content.decode()
    assert "Record a follow-up" not in queue


def test_reachable_from_the_queue_and_the_clue_page(client, intake, clue):
    queue = client.get("/admin/reporting/clues/").content.decode()
    assert f'href="{URL}"' in queue and "Record a follow-up" in queue
    page = client.get(f"/admin/reporting/clues/inspect/{clue.pk}/").content.decode()
    assert f'href="{URL}?number={clue.tracking_number}"' in page
    form = client.get(f"{URL}?number={clue.tracking_number}").content.decode()
    assert f'value="{clue.tracking_number}"' in form


def test_a_supervisor_and_an_administrator_may_record_too(client, staff, admin_client, clue):
    client.force_login(staff["supervisor-tangshan"])
    assert post(client, clue, channel="visit").status_code == 302
    assert post(admin_client, clue).status_code == 302
    assert clue.ledger.filter(action=Action.FOLLOW_UP_TAKEN).count() == 2


def test_files_go_through_the_status_pages_checks(client, intake, clue):
    photo = SimpleUploadedFile("letter.jpg", samples.jpeg_with_gps(), content_type="image/jpeg")
    response = post(client, clue, channel="letter", evidence=[photo])
    assert response.status_code == 302
    item = clue.evidence.get()
    with item.file.open("rb") as handle:
        assert b"PhoneMaker" not in handle.read()  # stripped like the reporter's own
    entry = clue.ledger.get(action=Action.REPORTER_ADDED_EVIDENCE)
    assert entry.actor == intake


def test_a_bad_file_is_named_and_nothing_is_stored(client, intake, clue):
    bad = SimpleUploadedFile("tool.jpg", samples.ELF_EXECUTABLE)
    response = post(client, clue, evidence=[bad], body="（测试）保留的文字。")
    assert response.status_code == 400
    html = errors(response)
    assert "“tool.jpg”" in html and "（测试）保留的文字。" in html
    assert not clue.evidence.exists() and not clue.messages.exists()
    assert not clue.ledger.filter(action=Action.FOLLOW_UP_TAKEN).exists()


@override_settings(EVIDENCE_MAX_FILE_BYTES=50_000)
def test_an_oversized_file_is_named_and_nothing_is_stored(client, intake, clue):
    big = SimpleUploadedFile("big.wav", samples.wav(seconds=5), content_type="audio/wav")
    response = post(client, clue, evidence=[big])
    assert response.status_code == 400
    assert "“big.wav” is larger than" in errors(response)
    assert not clue.evidence.exists() and not clue.messages.exists()


def test_only_the_staff_channels_are_offered(client, intake, clue):
    response = post(client, clue, channel="web")
    assert response.status_code == 400
    assert not clue.messages.exists()
    form = client.get(URL).content.decode()
    assert 'value="hotline"' in form and 'value="letter"' in form and 'value="visit"' in form
    assert 'value="web"' not in form and 'value="referral"' not in form


def test_a_post_without_the_csrf_token_is_refused(staff, clue):
    """The view sets its upload handler before the CSRF check (as the status page's "add
    files" does): the check still runs."""
    browser = StaffClient(enforce_csrf_checks=True)
    browser.force_login(staff["intake-hebei"])
    response = browser.post(
        URL, {"tracking_number": clue.tracking_number, "channel": "hotline", "body": "x"}
    )
    assert response.status_code == 403
    assert not clue.messages.exists()


def test_the_demo_has_a_call_taken_down(staff):
    first = reporting.demo.demo_caller_follow_up(staff)
    again = reporting.demo.demo_caller_follow_up(staff)  # a second load adds nothing
    assert first.pk == again.pk
    entry = first.ledger.get(action=Action.FOLLOW_UP_TAKEN)
    assert entry.actor == staff["intake-hebei"] and "hotline" in entry.note
    assert first.messages.filter(sender=Message.Sender.REPORTER).count() == 1
    assert reporter.open_questions(first) == []  # the call answered intake's question
