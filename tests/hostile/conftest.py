import secrets
import time

import pytest
from captcha.models import CaptchaStore

import reporting.demo
from reporting.intake.antispam import issue_stamp
from tests.posters.conftest import entry_point  # noqa: F401 (fixture)
from tests.reporting.conftest import report_page, valid_data  # noqa: F401 (fixtures)


@pytest.fixture
def open_site(site_tree, settings):
    """The demo's regions and categories, with the spam checks that would refuse a stream of
    posts from one client at once raised (docs/security.md#settings-load-tests-and-drills):
    the hostile tests are about what each post does, not about being throttled."""
    reporting.demo.load()
    settings.REPORT_MIN_SECONDS = 0
    settings.REPORT_RATE_LIMIT = 10**9
    return site_tree


@pytest.fixture
def hidden_fields():
    """A new form's hidden fields, captcha answered, as a person sends them."""

    def make():
        token = secrets.token_urlsafe(32)
        key = CaptchaStore.generate_key()
        return {
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
            "submission_token": token,
            "issued": issue_stamp(token, at=time.time() - 60),
        }

    return make
