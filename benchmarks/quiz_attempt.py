#!/usr/bin/env python
"""Whole quiz attempts per second through gunicorn, beside the bare form in the same run.

    .venv/bin/python benchmarks/quiz_attempt.py [--seconds 30] [--clients 8]

Starts, each under gunicorn.conf.py with 2 workers on 127.0.0.1: the anchor
(benchmarks/anchor, its bare captcha form on PostgreSQL) and the portal with its demo content
(production settings, PostgreSQL database bench_quiz, recreated each run). Each client is one
participant's browser taking the demo's practice quiz (10 questions) again and again, as a
person does: GET the start page, POST it, then for each question GET it and POST an answer
(the first option offered, with the attempt's id), following every redirect the portal sends
(a page that shows the right answer after each one is read too), and GET the result. The
anchor's form is loaded alike by pages.py's clients: GET, POST, thank-you page.
The two take turns in three rounds of a third of --seconds each, the one that leads changing
each round, so a shared host's changing speed weighs on both sides of the ratio alike.
Prints attempts/s and the whole attempt's p50 and p99, the requests an attempt takes, the
ratio of attempts/s to the bare form's submissions/s (round by round too) and the same ratio
per request. Stops by itself.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness, pages, report_submissions

DATABASE = "bench_quiz"
# The anchor's form: GET, POST, thank-you page.
ANCHOR_REQUESTS = 3
# A practice attempt's redirects and feedback pages are followed up to this many steps per
# question before the attempt counts as failed (a loop would otherwise never end).
STEPS_PER_QUESTION = 4

DISCOVER = """
import json
from django.urls import reverse
from quizzes.models import QuizPage
quiz = QuizPage.objects.live().filter(
    locale__language_code="zh-hans", kind="practice", slug="law-quiz"
).first()
print(json.dumps({
    "start": reverse("quizzes:start", args=[quiz.pk]),
    "result": reverse("quizzes:result", args=[quiz.pk]),
    "question": reverse("quizzes:question", args=[quiz.pk, 1]).rstrip("/").rsplit("/", 1)[0],
    "questions": quiz.questions_per_attempt,
}))
"""

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)


def _attribute(tag, name):
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return unescape(match.group(1)) if match else None


def inputs(page, name):
    """The values of the inputs called `name` in the page, in order."""
    return [
        _attribute(tag, "value")
        for tag in _INPUT.findall(page)
        if _attribute(tag, "name") == name and _attribute(tag, "value") is not None
    ]


def discover(env):
    """The demo practice quiz's addresses and length."""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DISCOVER],
        cwd=harness.ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


class Participant:
    """One browser taking the quiz; `take()` makes one whole attempt and returns its seconds
    and its number of requests, or raises report_submissions.Failed."""

    def __init__(self, base, quiz):
        self.browser = harness.Browser(base)
        self.quiz = quiz

    def get(self, path):
        response = self.browser.get(path, allow_redirects=False)
        if response.status_code != 200:
            status = response.status_code
            raise report_submissions.Failed(f"GET {self._shape(path)}: HTTP {status}")
        return response.text

    def post(self, path, data):
        response = self.browser.post(path, data)
        if response.status_code != 302:
            raise report_submissions.Failed(
                f"POST {self._shape(path)}: HTTP {response.status_code}"
            )
        # Relative or absolute alike: the path (and query) on this server.
        location = urlsplit(response.headers["Location"])
        return location.path + (f"?{location.query}" if location.query else "")

    def _shape(self, path):
        return re.sub(r"\d+", "N", path.split("?")[0])

    def take(self):
        quiz = self.quiz
        started = time.perf_counter()
        rules = self.get(quiz["start"])
        requests = 1
        csrf = inputs(rules, "csrfmiddlewaretoken")
        if not csrf:
            raise report_submissions.Failed("start page without a form")
        path = self.post(quiz["start"], {"csrfmiddlewaretoken": csrf[0]})
        requests += 1
        answered = 0
        for _step in range(STEPS_PER_QUESTION * quiz["questions"] + 2):
            page = self.get(path)
            requests += 1
            if path.split("?")[0] == quiz["result"]:
                if answered != quiz["questions"]:
                    raise report_submissions.Failed(f"result after {answered} answers")
                return time.perf_counter() - started, requests
            offered = inputs(page, "answer")
            if offered:
                data = {
                    "csrfmiddlewaretoken": inputs(page, "csrfmiddlewaretoken")[0],
                    "attempt": inputs(page, "attempt")[0],
                    "answer": offered[0],
                }
                path = self.post(path, data)
                requests += 1
                answered += 1
                continue
            # A page showing the right answer: on to the next question or the result.
            onward = [
                link
                for link in re.findall(r'href="([^"]+)"', page)
                if link != path
                and (link.startswith(quiz["question"]) or link.startswith(quiz["result"]))
            ]
            if not onward:
                raise report_submissions.Failed(f"nowhere to go from {self._shape(path)}")
            path = unescape(onward[0])
        raise report_submissions.Failed("the attempt did not reach its result")


def quiz_attempts(base, quiz, seconds, clients):
    """Whole attempts for `seconds` by `clients` participants; the summary of
    report_submissions, with the requests an attempt takes."""
    counts = []

    def new_client():
        participant = Participant(base, quiz)

        def attempt():
            elapsed, requests = participant.take()
            counts.append(requests)
            return elapsed

        return attempt

    result = report_submissions.timed_load(seconds, clients, new_client)
    result["requests"] = statistics.median(counts) if counts else float("nan")
    return result


def in_turns(anchor_base, base, quiz, args):
    seconds = pages.round_seconds(args)
    forms, attempts = pages.in_turns(
        lambda: pages.anchor_form(anchor_base, seconds, args.clients),
        lambda: quiz_attempts(base, quiz, seconds, args.clients),
    )
    rounds = [
        attempt["rate"] / form["rate"] if form["rate"] else float("nan")
        for form, attempt in zip(forms, attempts, strict=True)
    ]
    requests = statistics.median(attempt["requests"] for attempt in attempts)
    combined = report_submissions.combine(attempts)
    combined["requests"] = requests
    return report_submissions.combine(forms), combined, rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_range_option(parser, "--seconds", 30, 3, 300, "duration of all rounds together")
    harness.add_range_option(parser, "--clients", 8, 1, 64, "concurrent participants")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="portal-quiz-") as tmp:
        workdir = Path(tmp)
        log = workdir / "servers.log"
        print("preparing the anchor and the portal (migrate, demo content) ...", flush=True)
        anchor_env = pages.prepare_anchor(workdir)
        # Every participant starts from 127.0.0.1, which the start's per-client limit would
        # soon refuse: the benchmark raises it, to measure attempts rather than refusals.
        port, env, _database_url = harness.fresh_portal(
            workdir, DATABASE, QUIZ_START_LIMIT=100_000_000
        )
        quiz = discover(env)
        anchor_port = harness.free_port()
        anchor_server = {"app": "benchmarks.anchor.wsgi:application", "ready_path": "/"}
        with (
            harness.serving(anchor_port, anchor_env, log=log, **anchor_server),
            harness.serving(port, env, log=log),
        ):
            base = f"http://127.0.0.1:{port}"
            # One attempt first, so a portal that cannot serve one says why at once.
            try:
                Participant(base, quiz).take()
            except report_submissions.Failed as failure:
                raise SystemExit(f"a quiz attempt fails: {failure}") from None
            form, attempt, rounds = in_turns(f"http://127.0.0.1:{anchor_port}", base, quiz, args)

    print_table(form, attempt, rounds, args)


def print_table(form, attempt, rounds, args):
    print(
        f"\nA whole quiz attempt through gunicorn (2 workers), PostgreSQL, {args.clients} "
        f"clients, {pages.ROUNDS} rounds of {pages.round_seconds(args)} s taking turns with "
        "the bare form"
    )
    print(
        f"{'':<38}{'per s':>8}{'done':>7}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'failed':>8}"
    )
    rows = [
        ("bare captcha form, GET+POST+done", form, ANCHOR_REQUESTS),
        (f"quiz attempt, {attempt['requests']:.0f} requests", attempt, attempt["requests"]),
    ]
    for name, row, requests in rows:
        print(
            f"{name:<38}{row['rate']:>8.2f}{row['count']:>7}{row['p50']:>9.0f}"
            f"{row['p99']:>9.0f}{requests:>10.0f}{row['failures']:>8}"
        )
    for name, row, _requests in rows:
        if row["reasons"]:
            print(f"failures ({name}):", dict(row["reasons"]))
    print("(the form's latency is its POST's; the attempt's is the whole attempt)")
    if form["rate"]:
        ratio = attempt["rate"] / form["rate"]
        per_request = ratio * attempt["requests"] / ANCHOR_REQUESTS
        print(f"attempts/s / bare form submissions/s: {ratio:.3f}x")
        print(f"the same per request: {per_request:.2f}x")
    print("round by round: " + ", ".join(f"{ratio:.3f}x" for ratio in rounds))


if __name__ == "__main__":
    main()
