import re
from io import StringIO

from django.core.management import call_command

import pytest

from fugitives.models import NoticePage
from posters.models import EntryPoint
from reporting.models import Clue

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_sighting_of_its_wanted_notice_with_its_receipt(client):
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    call_command("load_demo_content", stdout=out)  # again: nothing doubles
    lines = [row for row in out.getvalue().splitlines() if row.startswith("Demo sighting")]
    number, key = re.search(r"tracking number: ([\d ]+?)  access key: (\S+)", lines[-1]).groups()
    clue = Clue.objects.get(subject__isnull=False)
    notice = NoticePage.objects.get(pk=clue.subject_id)
    assert notice.is_wanted and clue.category.slug == "fugitive"
    # Sent after a scan of the notice's printed poster, which counts it.
    assert clue.channel == Clue.Channel.POSTER
    poster = EntryPoint.objects.get(code=clue.entry_code)
    assert poster.page_id == notice.pk
    assert number.replace(" ", "") == clue.tracking_number
    response = client.post("/en/report/status/", {"tracking_number": number, "access_key": key})
    assert response.status_code == 302
