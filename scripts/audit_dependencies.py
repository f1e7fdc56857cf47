"""Audit the locked packages for known vulnerabilities: pip-audit, against PyPI's advisory data,
on exactly the versions and hashes requirements/*.lock pin (nothing is installed or resolved).

Exit 1 on any vulnerability not listed in .ci/pip-audit-ignore, on a listed id without a
reason, and on any package the service could not answer for while it answered for others.
When it answers for no package at all (the machine cannot reach it), the audit did not run:
that is said loudly, and it fails only when AUDIT_REQUIRED=1 (docs/security.md).

Usage: python scripts/audit_dependencies.py [LOCK ...]   (default: base.lock and dev.lock)
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore"
LOCKS = [ROOT / "requirements" / "base.lock", ROOT / "requirements" / "dev.lock"]
VULN_ID = re.compile(r"\A(PYSEC|GHSA|CVE|OSV|BIT|RUSTSEC)-[A-Za-z0-9-]+\Z")
UNREACHABLE = ("Dependency not found on PyPI", "Could not connect", "network may be blocking")


class AuditError(Exception):
    pass


def ignored_ids(path=IGNORE_FILE):
    """Vulnerability ids from the ignore file: one per line, then the reason it does not apply."""
    ids = {}
    if not path.exists():
        return ids
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not VULN_ID.match(vuln_id):
            raise AuditError(f"{path.name}:{number}: {vuln_id!r} is not a vulnerability id")
        if not reason.strip():
            raise AuditError(f"{path.name}:{number}: {vuln_id} needs a reason after the id")
        ids[vuln_id] = reason.strip()
    return ids


def run_pip_audit(locks, ignore):
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
    command += ["--vulnerability-service", "pypi", "--format", "json", "--progress-spinner", "off"]
    for lock in locks:
        command += ["--requirement", str(lock)]
    for vuln_id in ignore:
        command += ["--ignore-vuln", vuln_id]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


def judge(result):
    """(vulnerable, skipped, audited) from pip-audit's JSON report."""
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if any(marker in result.stderr for marker in UNREACHABLE):
            return [], ["all"], 0
        message = f"pip-audit failed (exit {result.returncode}):\n{result.stderr}"
        raise AuditError(message) from None
    vulnerable, skipped, audited = [], [], 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(f"{dependency['name']}: {dependency['skip_reason']}")
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases") or [])
            vulnerable.append(
                f"{dependency['name']} {dependency['version']}: {vuln['id']}"
                + (f" ({aliases})" if aliases else "")
                + f"; fixed in: {fixed}"
            )
    return vulnerable, skipped, audited


def main(argv):
    locks = [Path(arg) for arg in argv] or LOCKS
    try:
        ignore = ignored_ids()
        vulnerable, skipped, audited = judge(run_pip_audit(locks, ignore))
    except AuditError as error:
        print(f"Dependency audit: {error}", file=sys.stderr)
        return 1
    for vuln_id, reason in ignore.items():
        print(f"Ignored as not applicable: {vuln_id}: {reason}")
    if vulnerable:
        print("Known vulnerabilities in locked packages:", *vulnerable, sep="\n  ")
        print("Upgrade (scripts/lock) or, if one does not apply here, list it with the reason in")
        print(f"{IGNORE_FILE.relative_to(ROOT)}.")
        return 1
    if audited == 0:
        print(
            "DEPENDENCY AUDIT DID NOT RUN: PyPI's vulnerability data did not answer for any "
            "package from this machine, so nothing was checked."
        )
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    if skipped:
        print("Not audited (the service had no answer for them):", *skipped, sep="\n  ")
        return 1
    print(f"Dependency audit: {audited} locked packages, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
