"""The shell helpers of scripts/_bootstrap.sh, run by bash with stand-ins for system tools.

The font check once read `fc-list | grep -qi "wenquanyi micro hei"` under `set -o pipefail`:
grep leaves at the first match, fc-list, still writing, dies of SIGPIPE, and the pipeline
fails although the font is installed, so scripts/test announced installing it on every run
on a machine with more fonts than fit one pipe write."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP = ROOT / "scripts" / "_bootstrap.sh"
FONT = "WenQuanYi Micro Hei"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def has_font_function():
    match = re.search(r"^has_font\(\) \{\n.*?^\}\n", BOOTSTRAP.read_text(), re.M | re.S)
    assert match, "scripts/_bootstrap.sh defines has_font()"
    return match.group(0)


def fake_fc_list(folder, installed):
    """An fc-list that, like the real one, is one process that lists every font without
    arguments (here many, more than a pipe holds, as on a desktop machine) and only the
    matching families given a pattern and `family`."""
    listing = folder / "fonts.txt"
    lines = [f"/usr/share/fonts/f{n}.ttf: Some Font {n}:style=Regular" for n in range(20_000)]
    if installed:
        lines.insert(0, f"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc: {FONT}:style=Regular")
    listing.write_text("\n".join(lines) + "\n")
    found = f"echo '{FONT},文泉驿微米黑'" if installed else "true"
    script = folder / "fc-list"
    script.write_text(
        "#!/bin/bash\n"
        f'[ $# -eq 0 ] && exec cat "{listing}"\n'
        f'shopt -s nocasematch; [[ "$1" == "{FONT}" ]] && {found}\n'
        "exit 0\n"
    )
    script.chmod(0o755)


def font_found(path):
    completed = subprocess.run(
        [
            shutil.which("bash"),
            "-c",
            f'set -euo pipefail\n{has_font_function()}has_font "{FONT}" && echo yes || echo no',
        ],
        env={"PATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip() == "yes"


def bash_folder(tmp_path):
    """A PATH with the tools the function may call, and no real fc-list."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("grep", "cat"):
        (folder / tool).symlink_to(shutil.which(tool))
    return folder


def test_an_installed_font_is_found_among_many(tmp_path):
    folder = bash_folder(tmp_path)
    fake_fc_list(folder, installed=True)
    assert all(font_found(str(folder)) for _ in range(5))


def test_a_missing_font_is_missing(tmp_path):
    folder = bash_folder(tmp_path)
    fake_fc_list(folder, installed=False)
    assert not font_found(str(folder))


def test_without_fontconfig_the_font_counts_as_missing(tmp_path):
    assert not font_found(str(bash_folder(tmp_path)))


def lock_entry(name, lock):
    """What the bootstrap's lock_entry() prints for a package of a lock file."""
    match = re.search(r"^lock_entry\(\) \{\n.*?^\}\n", BOOTSTRAP.read_text(), re.M | re.S)
    assert match, "scripts/_bootstrap.sh defines lock_entry()"
    script = f'set -euo pipefail\n{match.group(0)}lock_entry "$0" "$1"'
    completed = subprocess.run(
        [shutil.which("bash"), "-c", script, name, str(lock)],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def test_the_lock_entry_of_pip_is_its_pin_and_every_hash_and_nothing_else(tmp_path):
    """The bootstrap installs the lock's pip first, from this entry, in hash mode: a hash
    left out, or a neighbour's line taken in, would stop every fresh install."""
    lock = tmp_path / "dev.lock"
    lock.write_text(
        "packaging==26.4 \\\n    --hash=sha256:aa\n    # via pip-audit\n"
        "pip==26.3 \\\n    --hash=sha256:bb \\\n    --hash=sha256:cc\n    # via pip-api\n"
        "pip-api==0.0.35 \\\n    --hash=sha256:dd\n"
    )
    assert lock_entry("pip", lock) == (
        "pip==26.3 \\\n    --hash=sha256:bb \\\n    --hash=sha256:cc\n"
    )
    assert lock_entry("pip-api", lock) == "pip-api==0.0.35 \\\n    --hash=sha256:dd\n"
    # A name that begins another's is not that other's entry.
    assert lock_entry("pi", lock) == ""
    assert lock_entry("setuptools", lock) == ""


def test_the_project_lock_pins_pip_with_hashes():
    entry = lock_entry("pip", ROOT / "requirements" / "dev.lock")
    lines = entry.splitlines()
    assert re.fullmatch(r"pip==[\d.]+ \\", lines[0])
    assert len(lines) >= 2
    assert all(re.fullmatch(r"    --hash=sha256:[0-9a-f]{64}( \\)?", line) for line in lines[1:])
