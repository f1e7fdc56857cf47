#!/usr/bin/env python
"""Keep the two catalogues complete.

    .venv/bin/python scripts/translations.py update    # extract strings; English copies msgid
    .venv/bin/python scripts/translations.py missing   # list Chinese entries still to translate
    .venv/bin/python scripts/translations.py compile   # write the .mo files (no gettext needed)

`update` exits 0 when extraction worked (whatever is left to translate); `missing` exits 1
while a Chinese entry is empty or fuzzy.

Source strings are English, so the English catalogue is the identity; the Chinese one is
written by people (edit locale/zh_Hans/LC_MESSAGES/django.po). The test suite fails while
either catalogue lacks a string the code uses.
"""

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {
    "zh_Hans": ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
    "en": ROOT / "locale/en/LC_MESSAGES/django.po",
}
IGNORE = [".venv", "var", "tests", "benchmarks", "drills", "node_modules"]


def _unquote(lines):
    return "".join(
        re.match(r'^(?:msgid|msgid_plural|msgstr(?:\[\d\])?)?\s*"(.*)"$', line).group(1)
        for line in lines
    )


def parse(text):
    """Yield entries as dicts of field name -> list of raw lines, plus flags and comments."""
    for block in text.strip().split("\n\n"):
        entry = {"comments": [], "fields": {}, "order": []}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                entry["comments"].append(line)
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) ", line)
            if match:
                current = match.group(1)
                entry["fields"][current] = [line]
                entry["order"].append(current)
            elif current:
                entry["fields"][current].append(line)
        yield entry


def render(entry):
    lines = list(entry["comments"])
    for name in entry["order"]:
        lines.extend(entry["fields"][name])
    return "\n".join(lines)


def value(entry, name):
    lines = entry["fields"].get(name)
    if not lines:
        return ""
    first = lines[0][len(name) :].strip()
    return _unquote([f'"{first[1:-1]}"', *lines[1:]])


def untranslated(path):
    missing = []
    for entry in parse(path.read_text()):
        msgid = value(entry, "msgid")
        if not msgid:
            continue
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in entry["comments"])
        strs = [value(entry, n) for n in entry["order"] if n.startswith("msgstr")]
        if fuzzy or not all(strs):
            missing.append(msgid)
    return missing


def _without_fuzzy(comment):
    """An identity translation is never fuzzy: drop that flag, keep the others."""
    if not comment.startswith("#,"):
        return comment
    flags = [f.strip() for f in comment[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else ""


def fill_english(path):
    out = []
    # Previous-msgid comments (#|) from fuzzy matching mean nothing for an identity catalogue.
    for entry in parse(path.read_text()):
        msgid = value(entry, "msgid")
        if msgid:
            entry["comments"] = [
                _without_fuzzy(c) for c in entry["comments"] if not c.startswith("#|")
            ]
            entry["comments"] = [c for c in entry["comments"] if c]
            plural = entry["fields"].get("msgid_plural")
            for name in entry["order"]:
                if name == "msgstr" or name == "msgstr[0]":
                    entry["fields"][name] = [
                        name + entry["fields"]["msgid"][0][5:],
                        *entry["fields"]["msgid"][1:],
                    ]
                elif name.startswith("msgstr[") and plural:
                    entry["fields"][name] = [name + plural[0][12:], *plural[1:]]
        out.append(render(entry))
    path.write_text("\n\n".join(out) + "\n")


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def unescape(text):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def compile_catalogue(po_path, mo_path):
    """Write a GNU .mo file: what msgfmt does, so running the portal needs no gettext."""
    messages = {}
    for entry in parse(po_path.read_text()):
        if any(c.startswith("#,") and "fuzzy" in c for c in entry["comments"]) and value(
            entry, "msgid"
        ):
            continue
        msgid = unescape(value(entry, "msgid"))
        if "msgctxt" in entry["fields"]:
            msgid = unescape(value(entry, "msgctxt")) + "\x04" + msgid
        if "msgid_plural" in entry["fields"]:
            msgid += "\0" + unescape(value(entry, "msgid_plural"))
            strs = [unescape(value(entry, n)) for n in entry["order"] if n.startswith("msgstr[")]
            msgstr = "\0".join(strs)
        else:
            msgstr = unescape(value(entry, "msgstr"))
        if msgstr.replace("\0", ""):
            messages[msgid] = msgstr
    keys = sorted(messages)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(messages[k].encode() + b"\0" for k in keys)
    count = len(keys)
    header_size = 7 * 4
    ids_start = header_size + 16 * count
    strs_start = ids_start + len(ids)
    offsets, id_pos, str_pos = [], 0, 0
    for key in keys:
        k, v = key.encode(), messages[key].encode()
        offsets.append((len(k), ids_start + id_pos, len(v), strs_start + str_pos))
        id_pos += len(k) + 1
        str_pos += len(v) + 1
    out = struct.pack("<7I", 0x950412DE, 0, count, header_size, header_size + 8 * count, 0, 0)
    out += b"".join(struct.pack("<2I", length, start) for length, start, _, _ in offsets)
    out += b"".join(struct.pack("<2I", length, start) for _, _, length, start in offsets)
    mo_path.write_bytes(out + ids + strs)


def main(command):
    if command == "update":
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev"}
        args = [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "en",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ]
        for folder in IGNORE:
            args += ["--ignore", folder]
        subprocess.run(args, cwd=ROOT, env=env, check=True)
        fill_english(CATALOGUES["en"])
        count = len(untranslated(CATALOGUES["zh_Hans"]))
        print(f"{count} Chinese entries to translate", file=sys.stderr)
        return 0
    if command == "compile":
        for path in CATALOGUES.values():
            compile_catalogue(path, path.with_suffix(".mo"))
        return 0
    if command == "missing":
        missing = untranslated(CATALOGUES["zh_Hans"])
        for msgid in missing:
            print(msgid)
        print(f"{len(missing)} Chinese entries to translate", file=sys.stderr)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
