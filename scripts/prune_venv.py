"""Uninstall packages that a lock file no longer lists, so a venv never drifts from it."""

import re
import subprocess
import sys
from importlib import metadata

KEEP = {"pip", "setuptools", "wheel"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def main(lock_path):
    with open(lock_path) as handle:
        locked = {
            canonical(m.group(1))
            for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", handle.read(), re.M)
        }
    installed = {canonical(d.metadata["Name"]) for d in metadata.distributions()}
    extra = sorted(installed - locked - KEEP)
    if extra:
        print("Removing packages no longer in the lock:", " ".join(extra))
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", *extra], check=True
        )


if __name__ == "__main__":
    main(sys.argv[1])
