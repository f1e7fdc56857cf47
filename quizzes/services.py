"""The rules of a quiz: which questions an attempt draws, when it may start, how an answer is
checked (on the server only), when time is up, and what a finished attempt may claim (a name
on the leaderboard, a certificate). Views call these and show what they return or raise."""

import random
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.pdffonts import missing_characters

from .models import (
    DISPLAY_NAME_MAX_LENGTH,
    OPTION_KEYS,
    Answer,
    Attempt,
    Question,
    QuizSettings,
)

CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CERTIFICATE_LENGTH = 10
LEADERBOARD_SIZE = 50


class Refused(Exception):
    """What the participant is told; nothing was changed."""


class TimeUp(Exception):
    """The attempt's time ran out; it is finished as it stood at its deadline."""


@dataclass
class Option:
    key: str
    text: str
    correct: bool


def options(question):
    """What the page offers, in order, with keys the participant's answer names. `question`:
    a Question, or an Asked as questions_of() gives."""
    if question.kind == Question.Kind.TRUE_FALSE:
        return [
            Option("true", _("True"), question.statement_is_true),
            Option("false", _("False"), not question.statement_is_true),
        ]
    choices = (
        question.choices
        if isinstance(question, Asked)
        else [(option.text, option.correct) for option in question.options.all()]
    )
    return [
        Option(key, text, right) for key, (text, right) in zip(OPTION_KEYS, choices, strict=False)
    ]


def status(quiz, now=None):
    """'open', 'not_yet' or 'closed' (a practice quiz is always open)."""
    if not quiz.is_competition:
        return "open"
    now = now or timezone.now()
    if quiz.opens_at and now < quiz.opens_at:
        return "not_yet"
    if quiz.closes_at and now >= quiz.closes_at:
        return "closed"
    return "open"


def start(quiz, attempts_used, now=None):
    """A new attempt drawn from the bank. `attempts_used`: how many this browser has started
    on this quiz (the session's count)."""
    now = now or timezone.now()
    state = status(quiz, now)
    if state == "not_yet":
        raise Refused(_("This competition has not opened yet."))
    if state == "closed":
        raise Refused(_("This competition has closed."))
    if quiz.is_competition and attempts_used >= quiz.attempts_allowed:
        raise Refused(
            ngettext(
                "You have used your attempt at this competition.",
                "You have used your %(count)s attempts at this competition.",
                quiz.attempts_allowed,
            )
            % {"count": quiz.attempts_allowed}
        )
    available = list(quiz.bank().values_list("pk", flat=True))
    if not available:
        raise Refused(_("This quiz has no questions yet. Please come back later."))
    if quiz.is_competition and len(available) < quiz.questions_per_attempt:
        # The bank shrank after the page was published: every participant must get as many
        # questions, so nobody starts until an editor fixes it.
        raise Refused(
            _("This competition cannot start now: it has too few questions. Please try later.")
        )
    count = min(quiz.questions_per_attempt, len(available))
    # Not a secret: an attempt's questions may be predictable; their answers are never sent.
    drawn = random.sample(available, count)  # nosec B311
    deadline = None
    if quiz.is_competition:
        deadline = now + timezone.timedelta(minutes=quiz.time_limit_minutes)
        if quiz.closes_at:
            deadline = min(deadline, quiz.closes_at)
    found = _read_questions(drawn)
    return Attempt.objects.create(
        quiz=quiz,
        question_ids=drawn,
        asked=[asdict(found[pk]) for pk in drawn if pk in found],
        started_at=now,
        deadline=deadline,
    )


@dataclass(frozen=True)
class Asked:
    """A question as an attempt asks it: what its pages and the checking of its answer read.
    Kept until the content changes (a question saved or deleted changes the content's
    generation, as every snippet does), so a page of an attempt reads no question."""

    pk: int
    kind: str
    text: str
    explanation: str
    statement_is_true: bool
    law_id: int
    article: int
    paragraph: int | None
    item: int | None
    # (text, right) of each option, in order.
    choices: tuple = ()


def _read_questions(pks):
    """{pk: Asked} of these questions as they are now: two queries."""
    found = Question.objects.filter(pk__in=pks).prefetch_related("options")
    return {
        question.pk: Asked(
            pk=question.pk,
            kind=question.kind,
            text=question.text,
            explanation=question.explanation,
            statement_is_true=question.statement_is_true,
            law_id=question.law_id,
            article=question.article,
            paragraph=question.paragraph,
            item=question.item,
            choices=tuple((option.text, option.correct) for option in question.options.all()),
        )
        for question in found
    }


def questions_of(attempt):
    """{pk: Asked} of the attempt's questions as they were when it started."""
    found = {}
    for entry in attempt.asked:
        asked = Asked(**{**entry, "choices": tuple(tuple(pair) for pair in entry["choices"])})
        found[asked.pk] = asked
    return found


def remember_answers(attempt, answers):
    """Keep the attempt's answers, read once, for answered_positions()."""
    attempt._answered = {answer.position: answer for answer in answers}


def answered_positions(attempt):
    """{position: Answer} of the attempt: those remembered for it, or read now."""
    found = getattr(attempt, "_answered", None)
    if found is None:
        found = {answer.position: answer for answer in attempt.answers.all()}
    return found


def next_position(attempt, answered=None):
    """The first question (1-based) not yet answered, or None when all are."""
    if answered is None:
        answered = answered_positions(attempt)
    for position in range(1, attempt.total + 1):
        if position not in answered:
            return position
    return None


def answer(attempt_id, position, chosen, now=None):
    """Record the answer to the attempt's question at `position` (1-based) and return it,
    with the attempt finished when it was the last. Checked here only, against the question
    as the attempt asked it: the page holds the options, never which are right."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        except Attempt.DoesNotExist:
            raise Refused(_("This attempt no longer exists. Start again.")) from None
        if attempt.finished_at:
            raise Refused(_("This attempt is finished."))
        late = bool(attempt.deadline and now >= attempt.deadline)
        if late:
            # Finished as it stood at its deadline, and committed before saying so.
            _finish(attempt, attempt.deadline)
        else:
            recorded = _record(attempt, position, chosen, now)
    if late:
        raise TimeUp
    return recorded


def _record(attempt, position, chosen, now):
    if not 1 <= position <= attempt.total:
        raise Refused(_("That question is not part of this attempt."))
    answered = set(attempt.answers.values_list("position", flat=True))
    if position in answered:
        raise Refused(_("You have already answered this question."))
    question = questions_of(attempt).get(attempt.question_ids[position - 1])
    if question is None:
        raise Refused(_("That question is not part of this attempt."))
    offered = options(question)
    keys = {option.key for option in offered}
    chosen = sorted(set(chosen))
    if not chosen:
        raise Refused(_("Choose an answer."))
    if any(key not in keys for key in chosen):
        raise Refused(_("That answer is not one of the options. Choose again."))
    if question.kind != Question.Kind.MULTIPLE and len(chosen) > 1:
        raise Refused(_("Choose one answer only."))
    right = sorted(option.key for option in offered if option.correct)
    # The bank's row, locked so that it is not deleted before this answer commits (its
    # foreign key is checked at commit); None when it already was: the answer still counts.
    in_bank = (
        Question.objects.select_for_update()
        .filter(pk=question.pk)
        .values_list("pk", flat=True)
        .first()
    )
    recorded = Answer.objects.create(
        attempt=attempt,
        question_id=in_bank,
        position=position,
        chosen=chosen,
        correct=chosen == right,
        answered_at=now,
    )
    answered.add(position)
    if len(answered) >= attempt.total:
        _finish(attempt, now)
    return recorded


def _finish(attempt, at):
    attempt.finished_at = at
    attempt.score = attempt.answers.filter(correct=True).count()
    attempt.duration_ms = int((at - attempt.started_at).total_seconds() * 1000)
    attempt.save(update_fields=["finished_at", "score", "duration_ms"])


def finish_if_due(attempt, now=None):
    """Finish an attempt whose time ran out while nobody was answering. True if it did."""
    now = now or timezone.now()
    if attempt.finished_at or not attempt.deadline or now < attempt.deadline:
        return False
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if not locked.finished_at:
            _finish(locked, locked.deadline)
    attempt.refresh_from_db()
    return True


def passed(attempt):
    quiz = attempt.quiz
    return attempt.total and attempt.score * 100 >= quiz.certificate_percent * attempt.total


# Letters, marks and numbers, spaces between them, and the dots and dashes of names: no
# control or format characters (which can hide or reorder text), no symbols, no emoji.
_ALLOWED = {"L", "M", "N", "Zs", "Pd", "Pc", "Po"}
_DIGITS = re.compile(r"\d")


def clean_display_name(value):
    """The name as it will be shown, or ValidationError saying what to change."""
    name = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not name:
        raise ValidationError(_("Enter a display name."))
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            _("A display name has at most %(limit)s characters.")
            % {"limit": DISPLAY_NAME_MAX_LENGTH}
        )
    for character in name:
        category = unicodedata.category(character)
        if category not in _ALLOWED and category[0] not in {"L", "M", "N"}:
            raise ValidationError(_("Use letters, digits and spaces only in a display name."))
    name = re.sub(r"\s+", " ", name)
    if len(_DIGITS.findall(name)) >= 6:
        # A phone or identity number is personal data the leaderboard must not show.
        raise ValidationError(_("A display name cannot hold a long number."))
    folded = _fold(name)
    for word in blocked_words():
        if word and word in folded:
            raise ValidationError(_("This display name is not allowed. Choose another."))
    return name


def check_printable(name):
    """A name for a certificate must print: the certificate's font draws Chinese and Latin,
    Greek and Cyrillic letters; any other letter would print as a blank."""
    missing = missing_characters(name)
    if missing:
        raise ValidationError(
            _(
                "The certificate cannot print these characters: %(characters)s. Write the "
                "name in Chinese characters or Latin letters."
            )
            % {"characters": " ".join(missing)}
        )


def _fold(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(character for character in text if unicodedata.category(character)[0] in "LN")


def blocked_words():
    words = QuizSettings.load().blocked_words
    return [_fold(line) for line in words.splitlines() if _fold(line)]


def _new_code():
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_LENGTH))


def normalise_code(value):
    return re.sub(r"[\s-]", "", str(value or "")).upper()[:40]


def format_code(code):
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def claim(attempt_id, *, display_name, region=None, on_leaderboard=False):
    """Put the participant's chosen name on a finished competition attempt: on the leaderboard
    when asked, and on a certificate when the score earns one. Once: the certificate's name
    cannot change afterwards."""
    name = clean_display_name(display_name)
    with transaction.atomic():
        # Only the attempt's row: its quiz is on the nullable side of the join.
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .get(pk=attempt_id)
        )
        if not attempt.quiz.is_competition or not attempt.finished_at:
            raise Refused(_("Only a finished competition attempt can carry a name."))
        if attempt.display_name:
            raise Refused(_("This attempt already carries a name."))
        attempt.display_name = name
        attempt.region = region
        attempt.on_leaderboard = bool(on_leaderboard and attempt.quiz.leaderboard)
        fields = ["display_name", "region", "on_leaderboard"]
        if passed(attempt):
            check_printable(name)
            attempt.certificate_title = attempt.quiz.chinese_title()
            fields += ["certificate_code", "certificate_title"]
            for _attempt in range(5):
                attempt.certificate_code = _new_code()
                try:
                    with transaction.atomic():
                        attempt.save(update_fields=fields)
                    return attempt
                except IntegrityError:
                    continue
            raise IntegrityError("no free certificate code after five attempts")
        attempt.save(update_fields=fields)
    return attempt


def certificate(code):
    """The attempt whose certificate has this code, or None."""
    code = normalise_code(code)
    if len(code) != CERTIFICATE_LENGTH or any(c not in CERTIFICATE_ALPHABET for c in code):
        return None
    return (
        Attempt.objects.select_related("quiz", "region")
        .filter(certificate_code=code, finished_at__isnull=False)
        .first()
    )


def leaderboard(quiz, region=None, limit=LEADERBOARD_SIZE):
    """The best named attempts: the higher score first, then the shorter time, then the
    earlier finish."""
    entries = Attempt.objects.filter(
        quiz=quiz, finished_at__isnull=False, on_leaderboard=True, hidden=False
    ).exclude(display_name="")
    if region is not None:
        entries = entries.filter(region=region)
    return list(
        entries.select_related("region").order_by("-score", "duration_ms", "finished_at", "pk")[
            :limit
        ]
    )
