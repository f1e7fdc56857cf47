"""The demo gives the Tangshan office an API key, printed with the logins, that reads the
office's demo clues; loading again replaces it."""

import re
from io import StringIO

from django.core.management import call_command

import pytest

from reporting.models import Clue
from unitapi.models import ApiKey

from .conftest import API, bearer

pytestmark = pytest.mark.django_db


def _load():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    (key,) = re.findall(
        r"Demo API key of the Tangshan office \(r130200\): (ucs_\S+)", out.getvalue()
    )
    return key


def test_the_demo_key_reads_the_tangshan_clues_and_a_second_load_replaces_it(client):
    key = _load()
    response = client.get(f"{API}/clues", {"limit": 100}, **bearer(key))
    assert response.status_code == 200
    listed = {item["tracking_number"] for item in response.json()["items"]}
    held = set(Clue.objects.filter(unit__code="r130200").values_list("tracking_number", flat=True))
    assert listed == held and listed

    # Something for scripts/unit_client.py's loop to acknowledge, which the key may do.
    waiting = Clue.objects.filter(unit__code="r130200", status=Clue.Status.TRANSFERRED).first()
    assert waiting is not None
    url = f"{API}/clues/{waiting.tracking_number}"
    version = client.get(url, **bearer(key))["ETag"]
    acknowledged = client.post(
        f"{url}/acknowledge", "{}", content_type="application/json", **bearer(key),
        HTTP_IF_MATCH=version, HTTP_IDEMPOTENCY_KEY="demo-1",
    )  # fmt: skip
    assert acknowledged.status_code == 200, acknowledged.content

    again = _load()
    assert client.get(f"{API}/clues", **bearer(key)).status_code == 401
    assert client.get(f"{API}/clues", **bearer(again)).status_code == 200
    assert ApiKey.objects.filter(unit__code="r130200", revoked_at__isnull=True).count() == 1
