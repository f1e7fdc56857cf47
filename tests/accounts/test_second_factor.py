"""The second factor: required before any clue is shown, set up at first sign-in from a QR
code, and given with the app's code or a single-use recovery code."""

import re
import time
from io import StringIO
from urllib.parse import parse_qs, urlsplit

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts import twofactor
from accounts.models import Authenticator
from tests.posters.conftest import decode, rasterise_svg
from tests.reporting.test_workflow import new_clue

from .conftest import PASSWORD, inline_scripts, sign_in, totp

pytestmark = pytest.mark.django_db

VERIFY = "/admin/two-factor/verify/"


def clue_urls(clue):
    return [
        reverse("wagtailadmin_home"),
        reverse("clues:index"),
        reverse("clues:index") + "?export=csv",
        reverse("clues:inspect", args=[clue.pk]),
        reverse("clues:evidence", args=[clue.pk, 1]),
        reverse("clue_statistics"),
        reverse("ledger:index"),
        reverse("units:index"),
        reverse("memberships:index"),
        reverse("categories:index"),
    ]


def test_a_password_alone_reaches_no_clue_page_nor_the_queue(staff, browser, client):
    supervisor = staff["supervisor-hebei"]
    supervisor.set_password(PASSWORD)
    supervisor.save()
    twofactor.new_recovery_codes(supervisor)
    Authenticator.objects.create(user=supervisor, name="phone", confirmed=True)
    clue = new_clue()

    response = sign_in(browser, "supervisor-hebei")
    assert response.status_code == 302  # the password was right
    for url in clue_urls(clue):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url
        assert clue.tracking_number not in response.content.decode()
    act = browser.post(reverse("clues:act", args=[clue.pk, "accept"]), {"accept-seen": ""})
    assert act["Location"].startswith(VERIFY)
    assert not clue.ledger.filter(action="accepted").exists()

    # The same pages, once the second factor is given, do show the clue.
    client.force_login(supervisor)
    assert clue.tracking_number in client.get(reverse("clues:index")).content.decode()


def test_outside_the_admin_an_unverified_account_counts_as_signed_out(site_tree, browser, member):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=site_tree["home"], restriction_type="login")
    sign_in(browser, "reviewer")
    assert browser.get("/").status_code == 302
    browser.force_login(member)
    assert browser.get("/").status_code == 200


def test_first_sign_in_sets_up_the_app_from_the_qr_code(staff, browser, member):
    response = sign_in(browser, "reviewer")
    response = browser.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/two-factor/enrol/")
    html = response.content.decode()
    assert inline_scripts(html) == []

    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    [config] = decode(rasterise_svg(svg))
    assert config.startswith("otpauth://totp/")
    secret = parse_qs(urlsplit(config).query)["secret"][0]
    assert secret in html.replace(" ", "")  # the same key, for typing
    assert "reviewer" in config

    right = totp(secret)
    wrong = browser.post("/admin/two-factor/enrol/", {"code": f"{(int(right) + 1) % 10**6:06d}"})
    assert wrong.status_code == 400
    assert not Authenticator.objects.filter(user=member, confirmed=True).exists()

    # A wrong code waits a second before the next; the test does not race that clock.
    Authenticator.objects.filter(user=member).update(throttling_failure_count=0)
    done = browser.post("/admin/two-factor/enrol/", {"code": totp(secret)}, follow=True)
    assert done.redirect_chain[-1][0].startswith("/admin/two-factor/recovery-codes/")
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", done.content.decode())
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    assert StaticToken.objects.filter(device__user=member).count() == len(codes)
    assert browser.get(reverse("clues:index")).status_code == 200

    # Shown once: the page does not show them again.
    again = browser.get("/admin/two-factor/recovery-codes/")
    assert again["Location"] == reverse("accounts_two_factor")

    # Next sign-in: the app's code (of the next step: each code is accepted once).
    browser.post(reverse("wagtailadmin_logout"))
    sign_in(browser, "reviewer")
    assert browser.get(reverse("clues:index"))["Location"].startswith(VERIFY)
    assert browser.get("/admin/two-factor/enrol/")["Location"].startswith(VERIFY)
    response = browser.post(
        VERIFY,
        {"code": totp(secret, at=time.time() + 30), "next": reverse("clues:index")},
    )
    assert response["Location"] == reverse("clues:index")
    assert browser.get(reverse("clues:index")).status_code == 200


def test_the_same_app_code_is_not_accepted_twice(browser, member):
    device = Authenticator.objects.create(user=member, name="phone", confirmed=True)
    secret = twofactor.secret_for_typing(device)
    code = totp(secret)
    sign_in(browser, "reviewer")
    assert browser.post(VERIFY, {"code": code}).status_code == 302
    browser.post(reverse("wagtailadmin_logout"))
    sign_in(browser, "reviewer")
    assert browser.post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_works_once(browser, member):
    Authenticator.objects.create(user=member, name="phone", confirmed=True)
    codes = twofactor.new_recovery_codes(member)

    sign_in(browser, "reviewer")
    typed = twofactor.format_recovery_code(codes[0]).upper()  # as read off paper
    response = browser.post(VERIFY, {"code": typed}, follow=True)
    assert response.status_code == 200
    assert browser.get(reverse("clues:index")).status_code == 200
    assert twofactor.recovery_codes_left(member) == len(codes) - 1

    browser.post(reverse("wagtailadmin_logout"))
    sign_in(browser, "reviewer")
    assert browser.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert browser.get(reverse("clues:index")).status_code == 302
    StaticDevice.objects.filter(user=member).update(throttling_failure_count=0)  # no waiting
    assert browser.post(VERIFY, {"code": codes[1]}).status_code == 302
    assert browser.get(reverse("clues:index")).status_code == 200


def test_after_many_wrong_codes_even_the_right_one_waits(browser, member):
    device = Authenticator.objects.create(user=member, name="phone", confirmed=True)
    for _attempt in range(10):
        twofactor.verify(member, "000000")
    sign_in(browser, "reviewer")
    response = browser.post(VERIFY, {"code": totp(twofactor.secret_for_typing(device))})
    assert response.status_code == 429
    assert browser.get(reverse("clues:index")).status_code == 302


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "abc", "<script>", "１２３４５６", "x" * 40, "a\x00b"]
)
def test_malformed_codes_are_refused_with_a_message(browser, member, code):
    Authenticator.objects.create(user=member, name="phone", confirmed=True)
    sign_in(browser, "reviewer")
    response = browser.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "error-message" in response.content.decode()
    assert browser.get(reverse("clues:index")).status_code == 302


def test_new_recovery_codes_replace_the_old(client, member):
    old = twofactor.new_recovery_codes(member)
    client.force_login(member)
    page = client.get(reverse("accounts_two_factor"))
    assert page.status_code == 200
    response = client.post(reverse("accounts_new_recovery_codes"), follow=True)
    new = re.findall(r"<code>([a-z2-7]{4})-([a-z2-7]{4})</code>", response.content.decode())
    assert len(new) == twofactor.RECOVERY_CODE_COUNT
    tokens = set(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert tokens == {a + b for a, b in new}
    assert not tokens & set(old)


def test_a_new_phone_replaces_the_old_one(client, member):
    client.force_login(member)
    old = Authenticator.objects.get(user=member)
    page = client.get(reverse("accounts_enrol")).content.decode()
    secret = re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    response = client.post(reverse("accounts_enrol"), {"code": totp(secret)})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=old.pk).exists()
    assert Authenticator.objects.filter(user=member, confirmed=True).count() == 1


def test_the_pages_speak_both_languages_and_run_no_inline_script(browser, member):
    from wagtail.users.models import UserProfile

    sign_in(browser, "reviewer")
    chinese = browser.get("/admin/two-factor/enrol/").content.decode()
    assert "设置两步验证" in chinese
    profile = UserProfile.get_for_user(member)
    profile.preferred_language = "en"
    profile.save()
    english = browser.get("/admin/two-factor/enrol/").content.decode()
    assert "Set up two-factor authentication" in english
    assert inline_scripts(chinese) == inline_scripts(english) == []
    Authenticator.objects.filter(user=member).update(confirmed=True)
    verify = browser.get(VERIFY).content.decode()
    assert "Enter your code" in verify
    assert inline_scripts(verify) == []


def test_the_sign_in_page_offers_no_remember_me(browser, db):
    html = browser.get(reverse("wagtailadmin_login")).content.decode()
    assert 'name="password"' in html
    assert 'name="remember"' not in html


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_development_may_switch_the_second_factor_off(browser, member):
    sign_in(browser, "reviewer")
    assert browser.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_reset_account_sets_up_again_and_loses_its_verified_sessions(client, member):
    client.force_login(member)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    call_command("reset_two_factor", "reviewer", stdout=StringIO())
    response = client.get(reverse("wagtailadmin_home"), follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/two-factor/enrol/")


def test_recovery_codes_alone_still_guard_the_set_up_page(browser, member):
    codes = twofactor.new_recovery_codes(member)
    sign_in(browser, "reviewer")
    assert browser.get("/admin/two-factor/enrol/")["Location"].startswith(VERIFY)
    assert browser.post("/admin/two-factor/enrol/", {"code": "123456"}).status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()
    assert browser.post(VERIFY, {"code": codes[0]}).status_code == 302
    assert browser.get("/admin/two-factor/enrol/").status_code == 200
