import re
from io import StringIO

from django.core.management import call_command

import pytest

from rewards.models import Claim

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_claim_waiting_and_one_paid_with_their_receipts(client):
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    call_command("load_demo_content", stdout=out)  # again: nothing doubles
    text = out.getvalue()
    line = [row for row in text.splitlines() if row.startswith("Demo reward claims")][-1]
    numbers = re.findall(r"tracking number: ([\d ]+?)  access key: (\S+)", line)
    assert len(numbers) == 2 and "reward officer: rewards-tangshan" in line
    assert "rewards-tangshan" in [r for r in text.splitlines() if r.startswith("Demo staff")][-1]
    assert sorted(Claim.objects.values_list("status", flat=True)) == ["claimed", "paid"]
    (waiting, _paid) = numbers
    response = client.post(
        "/en/report/status/", {"tracking_number": waiting[0], "access_key": waiting[1]}
    )
    assert response.status_code == 302
    assert "You claimed a reward on" in client.get("/en/report/status/").content.decode()
