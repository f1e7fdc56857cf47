import re
import time

import pytest
from captcha.models import CaptchaStore

import reporting.demo
from reporting.intake.antispam import issue_stamp, stamp_age


@pytest.fixture
def staff(site_tree):
    """The demo's units and staff: every role in the Hebei and the Tangshan office."""
    reporting.demo.load()
    return reporting.demo.load_staff()


@pytest.fixture
def report_page(client, site_tree):
    """Fetch the report form and return a helper that fills a valid submission."""
    reporting.demo.load()  # provinces and categories are seeded by migrate; cities by the demo

    def fetch(url="/report/", took_seconds=60, browser=None):
        """As a person does: the form is sent `took_seconds` after it was opened. The time is
        signed in the past rather than waited for. `browser`: another client than `client`."""
        response = (browser or client).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
        token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
        served = re.search(r'name="issued" value="([^"]+)"', html).group(1)
        assert stamp_age(served, token) is not None  # the form carries its own stamp
        answer = CaptchaStore.objects.get(hashkey=key).response
        return html, {
            "captcha_0": key,
            "captcha_1": answer,
            "submission_token": token,
            "issued": issue_stamp(token, at=time.time() - took_seconds),
        }

    return fetch


@pytest.fixture
def valid_data():
    from reporting.models import Category

    def build(**overrides):
        data = {
            "category": Category.objects.get(slug="routine-loans").pk,
            "region": "130200",
            "what_happened": "每月有人上门暴力催收，砸坏店铺玻璃。",
            "when": "unknown",
            "where": "某市场东门",
            "officials_shield": "unknown",
            "identity": "anonymous",
            "agree": "on",
            "party-TOTAL_FORMS": "2",
            "party-INITIAL_FORMS": "0",
            "party-MIN_NUM_FORMS": "0",
            "party-MAX_NUM_FORMS": "10",
            "party-0-name": "刀疤强",
            "party-0-description": "左脸有疤",
            "party-0-role": "头目",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build
