#!/usr/bin/env python3
"""A unit's case system in miniature: lists the clues transferred to the unit through the
units' API, shows one, acknowledges it and records progress on it
(docs/forwarding.md#the-units-api). Standard library only, so a unit's developers can read it
as an example in any language they work in.

    UNIT_API_KEY=ucs_... python scripts/unit_client.py --base http://127.0.0.1:8000
    UNIT_API_KEY=ucs_... python scripts/unit_client.py --base ... show 123456789012
    UNIT_API_KEY=ucs_... python scripts/unit_client.py --base ... acknowledge 123456789012
    UNIT_API_KEY=ucs_... python scripts/unit_client.py --base ... note 123456789012 "走访了两户"
    UNIT_API_KEY=ucs_... python scripts/unit_client.py --base ... loop

`loop` is the whole round in one go: the list, then the first clue waiting for
acknowledgement is acknowledged and given a progress note, and shown as it now stands.

The key comes from the environment, not the command line, where other users of the machine
could read it in the list of processes."""

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

PREFIX = "/api/units/v1"


class ApiError(Exception):
    pass


def call(base, key, path, query=None, *, body=None, headers=None, answer=None):
    """GET (or POST `body` as JSON) and return the JSON answer; `answer`, a dict, is given
    the answer's headers too."""
    url = base.rstrip("/") + PREFIX + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ApiError(f"not an http(s) address: {base}")
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    # S310: the scheme is checked just above, http(s) only.
    request = urllib.request.Request(url, data=data, headers=headers)  # nosec B310 # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 # noqa: S310
            if answer is not None:
                answer.update(response.headers)
            return json.load(response)
    except urllib.error.HTTPError as error:
        try:
            body = json.load(error)
            said = f"{body.get('code')}: {body.get('message')}"
        except ValueError:
            said = error.reason
        raise ApiError(f"{error.code} {said}") from error


def all_clues(base, key, **filters):
    """Every clue of the unit, page after page, as the API's cursor leads."""
    query = {key_: value for key_, value in filters.items() if value is not None}
    while True:
        page = call(base, key, "/clues", query)
        yield from page["items"]
        if page["next_cursor"] is None:
            return
        query["cursor"] = page["next_cursor"]


def act(base, key, number, action, body=None):
    """One action on a clue as it stands now: its version read first (the ETag) and sent as
    If-Match, so the action is refused (412) if someone acted meanwhile instead of taken on
    what is no longer there; and a new Idempotency-Key, which a retry after a lost answer
    would send again to get the first answer instead of acting twice."""
    headers = {}
    call(base, key, f"/clues/{number}", answer=headers)
    done = call(
        base, key, f"/clues/{number}/{action}", body=body or {},
        headers={"If-Match": headers["ETag"], "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    print(f"{number}: {done['message']} (now {done['status']})")
    return done


def show(base, key, number):
    clue = call(base, key, f"/clues/{number}")
    print(f"Clue {clue['tracking_number']}  {clue['status']}  category {clue['category']}")
    print(f"  received {clue['created_at']}  feedback due {clue['feedback_due_at']}")
    for transfer in clue["transfers"]:
        print(f"  transferred ({transfer['mode']}) {transfer['created_at']}, "
              f"verify by {transfer['deadline']}")  # fmt: skip
    print(f"  what happened: {clue['what_happened']}")
    for message in clue["messages"]:
        print(f"  [{message['created_at']}] {message['sender']}: {message['body']}")
    for item in clue["evidence"]:
        print(f"  evidence {item['id']}: {item['kind']} {item['content_type']} "
              f"{item['size']} bytes sha256 {item['sha256'][:16]}…")  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the portal's address")
    parser.add_argument("--status", help="only clues in this status (transferred, ...)")
    parser.add_argument("--overdue", action="store_true", help="only overdue clues")
    parser.add_argument(
        "command",
        nargs="?",
        default="list",
        choices=["list", "show", "acknowledge", "note", "loop"],
    )
    parser.add_argument("tracking_number", nargs="?")
    parser.add_argument("text", nargs="?", help="the progress note, for note")
    args = parser.parse_args(argv)
    key = os.environ.get("UNIT_API_KEY", "")
    if not key:
        parser.error("set UNIT_API_KEY to the unit's API key")
    if args.command in ("show", "acknowledge", "note") and not args.tracking_number:
        parser.error(f"{args.command} needs a tracking number")
    if args.command == "note" and not (args.text or "").strip():
        parser.error("note needs the text of the note after the tracking number")
    try:
        if args.command == "show":
            show(args.base, key, args.tracking_number)
            return 0
        if args.command == "acknowledge":
            act(args.base, key, args.tracking_number, "acknowledge")
            return 0
        if args.command == "note":
            act(args.base, key, args.tracking_number, "progress", {"note": args.text})
            return 0
        clues = list(
            all_clues(args.base, key, status=args.status, overdue="true" if args.overdue else None)
        )
        print(f"{len(clues)} clue(s) with the unit")
        for clue in clues:
            overdue = "  OVERDUE" if clue["overdue_since"] else ""
            key_clue = "  key clue" if clue["is_key"] else ""
            print(f"  {clue['tracking_number']}  {clue['status']:<13} "
                  f"updated {clue['updated_at']}{key_clue}{overdue}")  # fmt: skip
        if args.command == "loop":
            waiting = [clue for clue in clues if clue["status"] == "transferred"]
            if not waiting:
                print("No clue waits for acknowledgement.")
                return 0
            number = waiting[0]["tracking_number"]
            print()
            act(args.base, key, number, "acknowledge")
            act(args.base, key, number, "progress", {"note": "已派员走访核实，正在调取监控。"})
            print()
            show(args.base, key, number)
        elif clues:
            print()
            show(args.base, key, clues[0]["tracking_number"])
    except (ApiError, urllib.error.URLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
