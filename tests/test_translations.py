"""Both catalogues must be complete and cover every string the code marks for translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import translations

ROOT = Path(__file__).resolve().parent.parent


def msgids(path):
    return {translations.value(e, "msgid") for e in translations.parse(path.read_text())} - {""}


def test_chinese_and_english_catalogues_are_complete():
    for path in translations.CATALOGUES.values():
        assert translations.untranslated(path) == [], path


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_catalogues_cover_every_marked_string(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "*.mo", "__pycache__"
        ),
    )
    result = subprocess.run(
        [sys.executable, "scripts/translations.py", "update"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for code, path in translations.CATALOGUES.items():
        fresh = copy / path.relative_to(ROOT)
        assert msgids(fresh) == msgids(path), (
            f"{code} catalogue is out of date: run scripts/translations.py update"
        )
