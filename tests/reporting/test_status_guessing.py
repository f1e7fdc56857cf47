"""Wrong access keys lock out the client that typed them, not the report: someone who knows a
tracking number cannot keep its reporter out. Guessing stays bounded per client and number,
per client across numbers, and, through a captcha, per number across many clients."""

import pickle
import re
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest
from captcha.models import CaptchaStore
from freezegun import freeze_time

from reporting.factories import ClueFactory
from reporting.intake import throttle
from reporting.intake.receipts import new_tracking_number

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
ACCOMPLICE = "198.51.100.23"
REPORTER = "192.0.2.14"
WRONG_KEY = "WRONGWRONGWRONGWRONG"
LOCKED_ZH = re.compile(r"尝试次数过多，请等待 1[45] 分钟后再试。")
MISMATCH_ZH = "跟踪编号和查询码与任何举报都不匹配。"
CHALLENGE_ZH = "近来有人多次为此跟踪编号输入错误的查询码"


@pytest.fixture
def clue(site_tree):
    return ClueFactory()


@pytest.fixture
def frozen():
    with freeze_time(timezone.now(), tick=False) as clock:
        yield clock


def look_up(client, number, key, address, language="", **extra):
    return client.post(
        f"{language}/report/status/",
        {"tracking_number": number, "access_key": key, **extra},
        REMOTE_ADDR=address,
    )


def fail(client, number, address, times, frozen):
    """Wrong keys, each after the wait the previous one called for."""
    for _attempt in range(times):
        response = look_up(client, number, WRONG_KEY, address)
        assert response.status_code == 400
        assert MISMATCH_ZH in response.content.decode()
        frozen.tick(60)


def opens(client):
    return 'id="public-status"' in client.get("/report/status/").content.decode()


def test_an_attacker_locks_only_itself_out_and_the_reporter_gets_in(clue, frozen):
    attacker = Client()
    fail(attacker, clue.tracking_number, ATTACKER, 5, frozen)

    refused = look_up(attacker, clue.tracking_number, clue.access_key, ATTACKER)
    assert refused.status_code == 429
    assert LOCKED_ZH.search(refused.content.decode())
    assert not opens(attacker)

    reporter = Client()
    assert look_up(reporter, clue.tracking_number, clue.access_key, REPORTER).status_code == 302
    assert opens(reporter)

    frozen.tick(throttle.WINDOW_SECONDS)
    assert look_up(attacker, clue.tracking_number, clue.access_key, ATTACKER).status_code == 302


def test_the_lock_is_said_in_english_too(clue, frozen):
    attacker = Client()
    fail(attacker, clue.tracking_number, ATTACKER, 5, frozen)
    refused = look_up(attacker, clue.tracking_number, clue.access_key, ATTACKER, language="/en")
    assert refused.status_code == 429
    english = r"Too many attempts. Please wait 1[45] minutes and try again."
    assert re.search(english, refused.content.decode())


def test_a_client_guessing_across_numbers_is_slowed_then_refused_everywhere(clue, frozen, rf):
    guesser = Client()
    for _number in range(3):
        look_up(guesser, new_tracking_number(), WRONG_KEY, ATTACKER)
    slowed = look_up(guesser, new_tracking_number(), WRONG_KEY, ATTACKER)
    assert slowed.status_code == 429
    assert re.search(r"请等待 \d+ 秒后再试。", slowed.content.decode())

    request = rf.post("/report/status/", REMOTE_ADDR=ATTACKER)
    for _number in range(throttle.LIMITS["client"] - 3):
        # Failures counted without sitting out each wait (which soon outlasts the window):
        # the limit itself is what is checked here.
        number = new_tracking_number()
        throttle._take(throttle._client_keys(request, number)["client"])
        throttle.record_failure(request, number)
    frozen.tick(60)
    refused = look_up(guesser, clue.tracking_number, clue.access_key, ATTACKER)
    assert refused.status_code == 429
    assert LOCKED_ZH.search(refused.content.decode())
    assert look_up(Client(), clue.tracking_number, clue.access_key, REPORTER).status_code == 302


def test_many_clients_guessing_one_number_make_everyone_pass_a_captcha(clue, frozen):
    fail(Client(), clue.tracking_number, ATTACKER, 5, frozen)
    fail(Client(), clue.tracking_number, ACCOMPLICE, 5, frozen)
    assert throttle.CHALLENGE_AFTER == 10

    reporter = Client()
    asked = look_up(reporter, clue.tracking_number, clue.access_key, REPORTER)
    assert asked.status_code == 400
    html = asked.content.decode()
    assert CHALLENGE_ZH in html
    assert "请同时输入图片中的字符。" in html
    assert f'value="{clue.tracking_number}"' in html  # the number is kept
    assert not opens(reporter)

    # A new picture without JavaScript: the number is kept, nothing is checked or counted.
    refreshed = look_up(reporter, clue.tracking_number, "", REPORTER, refresh_captcha="1")
    assert refreshed.status_code == 200
    html = refreshed.content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    assert f'value="{clue.tracking_number}"' in html

    mistyped = look_up(
        reporter, clue.tracking_number, clue.access_key, REPORTER, captcha_0=key, captcha_1="?"
    )
    assert mistyped.status_code == 400
    assert "字符不匹配，请按新图片重新输入。" in mistyped.content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', mistyped.content.decode()).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).response
    passed = look_up(
        reporter, clue.tracking_number, clue.access_key, REPORTER, captcha_0=key, captcha_1=answer
    )
    assert passed.status_code == 302
    assert opens(reporter)


def test_the_captcha_is_asked_in_english_too(clue, frozen):
    fail(Client(), clue.tracking_number, ATTACKER, 5, frozen)
    fail(Client(), clue.tracking_number, ACCOMPLICE, 5, frozen)
    asked = look_up(Client(), clue.tracking_number, clue.access_key, REPORTER, language="/en")
    html = asked.content.decode()
    assert "Many wrong access keys were typed for this tracking number lately." in html
    assert "Type the characters in the picture too." in html


def test_one_client_alone_never_calls_for_the_captcha(clue, frozen):
    attacker = Client()
    fail(attacker, clue.tracking_number, ATTACKER, 5, frozen)
    for _attempt in range(5):
        look_up(attacker, clue.tracking_number, WRONG_KEY, ATTACKER)
        frozen.tick(60)
    assert not throttle.challenge_needed(clue.tracking_number)


def test_the_key_forgets_its_own_clients_failures(clue, frozen):
    reporter = Client()
    fail(reporter, clue.tracking_number, REPORTER, 4, frozen)
    assert look_up(reporter, clue.tracking_number, clue.access_key, REPORTER).status_code == 302
    reporter.post("/report/status/leave/")
    fail(reporter, clue.tracking_number, REPORTER, 1, frozen)
    assert look_up(reporter, clue.tracking_number, clue.access_key, REPORTER).status_code == 302


def test_no_address_or_number_is_kept_in_the_clear(clue, frozen):
    fail(Client(), clue.tracking_number, ATTACKER, 5, frozen)
    look_up(Client(), clue.tracking_number, clue.access_key, REPORTER)
    stored = cache._cache  # the test settings' in-process cache: every key and value
    assert len(stored) >= 3  # the pair, the client and the number
    for key, value in stored.items():
        for secret in (ATTACKER, REPORTER, clue.tracking_number):
            assert secret not in key
            assert secret.encode() not in value
            assert secret not in repr(pickle.loads(value))  # noqa: S301 (our own cache)
    out = StringIO()
    call_command("dumpdata", stdout=out)
    assert ATTACKER not in out.getvalue()
    assert REPORTER not in out.getvalue()


def test_wrong_keys_sent_together_are_held_to_the_limits_of_keys_sent_in_turn(clue, frozen, rf):
    """Lookups that arrive together (at one web process or several, which share the counts
    through Redis) are all counted before any key is checked, as happens when none has
    failed yet: only as many go on to the check as would one after another."""
    together = [rf.post("/report/status/", REMOTE_ADDR=ATTACKER) for _lookup in range(20)]
    waits = [throttle.take_attempt(request, clue.tracking_number) for request in together]
    assert waits.count(0) == throttle.FREE_ATTEMPTS + 1
    assert all(0 < wait <= throttle.FIRST_DELAY_SECONDS + 1 for wait in waits if wait)
    for _checked in range(waits.count(0)):
        throttle.record_failure(together[0], clue.tracking_number)

    # The refused gave their counts back: the next try waits as after three failures.
    assert throttle.take_attempt(together[0], clue.tracking_number) > 0
    frozen.tick(throttle.FIRST_DELAY_SECONDS + 1)
    assert throttle.take_attempt(together[0], clue.tracking_number) == 0
    # The reporter, elsewhere, is not held back.
    assert look_up(Client(), clue.tracking_number, clue.access_key, REPORTER).status_code == 302
