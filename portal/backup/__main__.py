"""Helpers that need no settings, for the machine being rebuilt:

    python -m portal.backup new-key              a new random key (for either variable)
    python -m portal.backup open-keys FILE       the keys file's settings as .env lines

open-keys reads its key from BACKUP_KEYS_ENCRYPTION_KEY, or from --key-file.
"""

import argparse
import json
import sys
from pathlib import Path

from .crypto import BackupError, load_key, new_key, open_bytes

KEYS_KEY_VARIABLE = "BACKUP_KEYS_ENCRYPTION_KEY"


def open_keys(path, key):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is missing")
    return json.loads(open_bytes(key, path.read_bytes(), "keys"))


def env_line(name, value):
    # Quoted for compose's .env and for sh: a single-quoted value, ' written as '\''.
    return f"{name}='" + value.replace("'", "'\\''") + "'"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m portal.backup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("new-key", help="print a new random key")
    opener = commands.add_parser("open-keys", help="print a keys file's settings")
    opener.add_argument("file")
    opener.add_argument("--key-file", help=f"the key; default: ${KEYS_KEY_VARIABLE}")
    args = parser.parse_args(argv)
    if args.command == "new-key":
        print(new_key())
        return 0
    try:
        document = open_keys(args.file, load_key(args.key_file, KEYS_KEY_VARIABLE))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"# keys of {document['created']}")
    for name, value in document["settings"].items():
        print(env_line(name, value))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
