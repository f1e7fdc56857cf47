"""Production cannot switch the second factor off; development can, with one variable; the
demo's accounts sign in with the demo key's codes."""

import re
import time
from datetime import UTC, datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

import pytest
from freezegun import freeze_time

from accounts import demo
from accounts.checks import second_factor_is_required_outside_development

from .conftest import sign_in, totp

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "portal.example.org",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "REPORTER_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY=",
    "TWO_FACTOR_REQUIRED": "false",
}
PRINT = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"


def test_production_requires_the_second_factor_whatever_the_environment(run_django, tmp_path):
    result = run_django(
        f"import django; django.setup(); {PRINT}",
        {**PRODUCTION_ENV, "PORTAL_VAR_DIR": str(tmp_path)},
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(("value", "expected"), [("false", "False"), ("", "True")])
def test_development_has_one_switch(run_django, tmp_path, value, expected):
    env = {"PORTAL_VAR_DIR": str(tmp_path), "TWO_FACTOR_REQUIRED": value}
    result = run_django(
        f"import django; django.setup(); {PRINT}", env, settings_module="portal.settings.dev"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_switch_is_refused_outside_development():
    with override_settings(TWO_FACTOR_REQUIRED=False, DEBUG=False):
        [error] = second_factor_is_required_outside_development(None)
    assert error.id == "accounts.E001"
    with override_settings(TWO_FACTOR_REQUIRED=False, DEBUG=True):
        assert second_factor_is_required_outside_development(None) == []


@pytest.mark.django_db
def test_demo_accounts_sign_in_with_the_demo_code(browser):
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    text = out.getvalue()
    password = re.search(r"Demo staff \(password for all: (\S+)\)", text).group(1)
    assert demo.demo_key_base32() in text
    assert "manage.py demo_code" in text

    code = StringIO()
    call_command("demo_code", stdout=code, stderr=StringIO())
    printed = code.getvalue().strip()
    assert re.fullmatch(r"\d{6}", printed)
    assert printed in {totp(demo.demo_key_base32(), at=time.time() + d) for d in (-30, 0)}

    sign_in(browser, "intake-hebei", password=password)
    response = browser.post("/admin/two-factor/verify/", {"code": printed})
    assert response.status_code == 302
    assert browser.get(reverse("clues:index")).status_code == 200

    # A second account, same code: each account has its own device.
    admin_password = re.search(r"user: admin\s+password: (\S+)", text).group(1)
    other = type(browser)()
    sign_in(other, "admin", password=admin_password)
    assert other.post("/admin/two-factor/verify/", {"code": printed}).status_code == 302

    following = StringIO()
    call_command("demo_code", "--next", stdout=following)
    browser.post(reverse("wagtailadmin_logout"))
    sign_in(browser, "intake-hebei", password=password)
    assert (
        browser.post("/admin/two-factor/verify/", {"code": following.getvalue().strip()})
    ).status_code == 302


def test_the_demo_code_command_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "portal.settings.production"
    with pytest.raises(CommandError):
        call_command("demo_code", stdout=StringIO())


@pytest.mark.parametrize("left", range(1, demo.STEP + 1))
def test_the_demo_code_never_has_less_than_ten_seconds_left(left, monkeypatch):
    """A code printed with two seconds left expired while it was typed: the command waits
    for the next step instead, and says how long the code it prints is valid."""
    start = 1_800_000_000 - 1_800_000_000 % demo.STEP + demo.STEP - left
    with freeze_time(datetime.fromtimestamp(start, UTC), tick=False) as frozen:
        monkeypatch.setattr(time, "sleep", frozen.tick)
        out, err = StringIO(), StringIO()
        call_command("demo_code", stdout=out, stderr=err)
        printed_at = time.time()
    printed = out.getvalue().strip()
    assert printed == demo.code(at=printed_at)
    remaining = demo.seconds_left(printed_at)
    assert remaining >= 10
    assert f"valid for {remaining} more seconds" in err.getvalue()
    if left >= 10:
        assert printed_at == start  # no wait when the current code has time left
    else:
        assert printed_at == start + left  # the first second of the next step
        assert printed != demo.code(at=start)
