"""The corpus of bad uploads (bad_uploads.py) against the evidence checks and the report
form: every file is refused, or stored sanitised (a new encoding, the hostile part gone);
none is stored as it came."""

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from reporting.evidence import checks as evidence
from reporting.models import Clue, Evidence

from .bad_uploads import corpus

CORPUS = corpus()


def test_the_corpus_has_at_least_twenty_kinds():
    assert len({bad.kind for bad in CORPUS}) >= 20


def check_stored(bad, content):
    assert content != bad.data, f"{bad.kind}: stored as it came"
    for marker in bad.markers:
        assert marker not in content, f"{bad.kind}: {marker!r} kept"


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.kind for bad in CORPUS])
def test_each_bad_upload_is_refused_or_sanitised(bad):
    try:
        processed = evidence.process(bad.name, bad.data)
    except evidence.EvidenceError as error:
        assert bad.name in str(error)
        return
    check_stored(bad, processed.content)


@pytest.mark.django_db
def test_through_the_report_form_none_is_stored_as_it_came(
    client, open_site, valid_data, hidden_fields
):
    """All of them, a few at a time as a person could send them: each report is stored with
    only sanitised files, or refused; the good text always survives a refusal."""
    outcomes = {}
    for start in range(0, len(CORPUS), 3):
        batch = CORPUS[start : start + 3]
        for bad in batch:
            files = [SimpleUploadedFile(bad.name, bad.data)]
            response = client.post(
                "/report/", {**valid_data(), **hidden_fields(), "evidence": files}
            )
            assert response.status_code in (302, 400), bad.kind
            outcomes[bad.kind] = response.status_code
    for item in Evidence.objects.all():
        with item.file.open("rb") as handle:
            content = handle.read()
        bad = next(b for b in CORPUS if b.kind in outcomes and len(b.data) == item.original_size)
        check_stored(bad, content)
    refused = [kind for kind, status in outcomes.items() if status == 400]
    assert Clue.objects.count() == len(outcomes) - len(refused)
