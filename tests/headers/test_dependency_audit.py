"""The CI dependency audit's own rules: what fails the run, what is ignored and why. pip-audit's
report is fed in as the JSON it prints; the service itself is not reachable from every machine
(docs/security.md), so its answers are not part of these tests."""

import json
import subprocess

import pytest

from scripts import audit_dependencies as audit


def report(*dependencies):
    return subprocess.CompletedProcess([], 1, json.dumps({"dependencies": list(dependencies)}), "")


DJANGO_VULN = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [
        {
            "id": "PYSEC-2025-1",
            "fix_versions": ["5.2.1"],
            "aliases": ["CVE-2025-0001"],
            "description": "...",
        }
    ],
}
CLEAN = {"name": "wagtail", "version": "8.0.1", "vulns": []}


def test_a_vulnerability_is_reported_with_its_fix():
    vulnerable, skipped, audited = audit.judge(report(DJANGO_VULN, CLEAN))
    assert vulnerable == [
        "django 5.2.0: PYSEC-2025-1 (CVE-2025-0001); fixed in: 5.2.1",
    ]
    assert (skipped, audited) == ([], 2)


def test_a_package_left_unaudited_while_others_were_is_reported():
    skip = {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"}
    vulnerable, skipped, audited = audit.judge(report(CLEAN, skip))
    assert vulnerable == []
    assert skipped == ["private-pkg: Dependency not found on PyPI"]
    assert audited == 1


def test_an_unreachable_service_is_not_a_clean_audit():
    offline = subprocess.CompletedProcess(
        [], 1, "", "Tip: your network may be blocking this service."
    )
    assert audit.judge(offline) == ([], ["all"], 0)
    crashed = subprocess.CompletedProcess([], 2, "", "Traceback ...")
    with pytest.raises(audit.AuditError):
        audit.judge(crashed)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("PYSEC-2025-1", "needs a reason"),
        ("PYSEC-2025-1   ", "needs a reason"),
        ("django<5.2 old", "is not a vulnerability id"),
        ("--ignore-vuln=GHSA-1 because", "is not a vulnerability id"),
    ],
)
def test_every_ignored_id_is_an_id_with_a_reason(tmp_path, line, message):
    path = tmp_path / "ignore"
    path.write_text(f"# comment\n\n{line}\n")
    with pytest.raises(audit.AuditError, match=message):
        audit.ignored_ids(path)


def test_ignored_ids_are_read_with_their_reasons(tmp_path):
    path = tmp_path / "ignore"
    path.write_text("# why\nGHSA-abcd-efgh-ijkl  only the Oracle backend, not used here\n")
    assert audit.ignored_ids(path) == {
        "GHSA-abcd-efgh-ijkl": "only the Oracle backend, not used here"
    }


def test_the_projects_ignore_file_is_valid():
    assert all(reason for reason in audit.ignored_ids().values())
