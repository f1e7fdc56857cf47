"""An attempt at a quiz, one question per page, with no script needed: start, answer each
question (with the reason after each answer when the quiz says so), the result, the
leaderboard. Rendered for their participant only: none of these pages is cached, and none
carries which answers are right before they are answered."""

import math

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.clients import within_limit
from portal.pagecache.kept import SharedUntilContentChanges
from portal.views import find_site
from reporting.models import Region

from . import citations, progress, services
from .forms import AnswerForm, ClaimForm
from .models import Answer, Attempt, Question, QuizPage


def _quiz(request, quiz_id):
    """The live, public quiz page, kept until the content changes; and the request's site,
    which the page's header needs, found the same way."""
    find_site(request)
    kept = SharedUntilContentChanges("quiz-page", quiz_id)
    quiz = kept.get()
    if quiz is None:
        quiz = QuizPage.objects.live().public().filter(pk=quiz_id).first()
        if quiz is None:
            # Not kept: any number can be typed in the address.
            raise Http404
        kept.set(quiz)
    return quiz


def _attempt(request, quiz):
    """This browser's latest attempt at the quiz with its answers, or None."""
    attempt_id = progress.current(request, quiz.pk)
    if attempt_id is None:
        return None
    try:
        attempt = Attempt.objects.get(pk=attempt_id, quiz_id=quiz.pk)
    except (Attempt.DoesNotExist, ValidationError):
        return None
    # Read once here for the whole view; cheaper than prefetch_related for one attempt.
    services.remember_answers(attempt, Answer.objects.filter(attempt_id=attempt.pk))
    return attempt


def _start_allowed(request):
    """Count one start from this client; False when it has started too many lately."""
    return within_limit(
        request, "quiz-start", settings.QUIZ_START_LIMIT, settings.QUIZ_START_WINDOW_MINUTES * 60
    )


def _question_url(quiz, position):
    return reverse("quizzes:question", args=[quiz.pk, position])


def _result_url(quiz):
    return reverse("quizzes:result", args=[quiz.pk])


def _continue_url(quiz, attempt):
    position = services.next_position(attempt)
    return _question_url(quiz, position) if position else _result_url(quiz)


@never_cache
@require_http_methods(["GET", "POST"])
def start(request, quiz_id):
    quiz = _quiz(request, quiz_id)
    attempt = _attempt(request, quiz)
    if attempt is not None:
        services.finish_if_due(attempt)
    in_progress = attempt is not None and attempt.finished_at is None
    error = None
    status = 200
    if request.method == "POST":
        if in_progress:
            return redirect(_continue_url(quiz, attempt))
        if not _start_allowed(request):
            error = _(
                "Too many quizzes were started from your connection. Please wait a few minutes."
            )
            status = 429
        else:
            try:
                attempt = services.start(quiz, progress.started(request, quiz.pk))
            except services.Refused as refused:
                error = str(refused)
                status = 409
            else:
                progress.remember(request, quiz.pk, attempt.pk)
                return redirect(_question_url(quiz, 1))
    used = progress.started(request, quiz.pk)
    context = {
        "page": quiz,
        "quiz": quiz,
        "state": services.status(quiz),
        "attempt": attempt if in_progress else None,
        "continue_url": _continue_url(quiz, attempt) if in_progress else None,
        "finished": attempt if attempt is not None and attempt.finished_at else None,
        "certified": progress.certified(request, quiz.pk) is not None,
        "attempts_left": max(quiz.attempts_allowed - used, 0) if quiz.is_competition else None,
        "error": error,
    }
    return TemplateResponse(request, "quizzes/start.html", context, status=status)


def _feedback(question, answer, offered, request):
    chosen = set(answer.chosen)
    return {
        "correct": answer.correct,
        "options": [{"option": option, "chosen": option.key in chosen} for option in offered],
        "right": [option for option in offered if option.correct],
        "explanation": question.explanation,
        "cited": citations.cite([question], request)[question.pk],
    }


@never_cache
@require_http_methods(["GET", "POST"])
def question(request, quiz_id, position):
    quiz = _quiz(request, quiz_id)
    attempt = _attempt(request, quiz)
    if attempt is None:
        messages.info(request, _("Start the quiz first."))
        return redirect("quizzes:start", quiz.pk)
    if services.finish_if_due(attempt):
        messages.warning(request, _("Time is up. Your answers so far have been counted."))
        return redirect(_result_url(quiz))
    if not 1 <= position <= attempt.total:
        raise Http404
    answers = services.answered_positions(attempt)
    answered = answers.get(position)
    showing_feedback = answered is not None and quiz.feedback_after_each
    if attempt.finished_at and not showing_feedback:
        return redirect(_result_url(quiz))
    next_position = services.next_position(attempt, answers)
    after = _question_url(quiz, next_position) if next_position else _result_url(quiz)
    if answered is None and position != next_position:
        # One question after another: a later one is not shown before this one is answered.
        return redirect(after)
    if answered is not None and not showing_feedback:
        return redirect(after)

    found = services.questions_of(attempt).get(attempt.question_ids[position - 1])
    if found is None:
        raise Http404
    offered = services.options(found)
    form = AnswerForm(
        request.POST if request.method == "POST" and answered is None else None,
        initial={"attempt": attempt.pk},
        offered=offered,
        multiple=found.kind == Question.Kind.MULTIPLE,
        question_text=found.text,
    )
    status = 200
    if request.method == "POST":
        if answered is not None:
            messages.info(request, _("You have already answered this question."))
            return redirect(after)
        if form.is_valid():
            if form.cleaned_data["attempt"] != attempt.pk:
                form.add_error(
                    None,
                    _(
                        "This page belongs to an earlier attempt at the quiz. "
                        "Here is the question of your current attempt."
                    ),
                )
                status = 409
            else:
                try:
                    services.answer(attempt.pk, position, form.chosen())
                except services.TimeUp:
                    messages.warning(
                        request, _("Time is up. Your answers so far have been counted.")
                    )
                    return redirect(_result_url(quiz))
                except services.Refused as refused:
                    form.add_error(None, str(refused))
                    status = 409
                else:
                    if quiz.feedback_after_each:
                        return redirect(_question_url(quiz, position))
                    answers[position] = True
                    later = services.next_position(attempt, answers)
                    return redirect(_question_url(quiz, later) if later else _result_url(quiz))
        else:
            status = 400 if "attempt" in form.errors else 200
    seconds_left = (
        max(int((attempt.deadline - timezone.now()).total_seconds()), 0)
        if attempt.deadline
        else None
    )
    context = {
        "page": quiz,
        "quiz": quiz,
        "attempt": attempt,
        "position": position,
        "question": found,
        "form": form,
        "feedback": _feedback(found, answered, offered, request) if showing_feedback else None,
        "next_url": after if showing_feedback else None,
        "seconds_left": seconds_left,
        "minutes_left": max(math.ceil(seconds_left / 60), 1) if seconds_left is not None else None,
    }
    return TemplateResponse(request, "quizzes/question.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def result(request, quiz_id):
    quiz = _quiz(request, quiz_id)
    attempt = _attempt(request, quiz)
    if attempt is None:
        messages.info(request, _("Start the quiz first."))
        return redirect("quizzes:start", quiz.pk)
    services.finish_if_due(attempt)
    if attempt.finished_at is None:
        return redirect(_continue_url(quiz, attempt))
    claim_form = None
    if quiz.is_competition and not attempt.display_name:
        claim_form = ClaimForm(
            request.POST if request.method == "POST" else None,
            leaderboard=quiz.leaderboard,
            certificate=services.passed(attempt),
        )
        if request.method == "POST" and claim_form.is_valid():
            try:
                claimed = services.claim(
                    attempt.pk,
                    display_name=claim_form.cleaned_data["display_name"],
                    region=claim_form.cleaned_data.get("region"),
                    on_leaderboard=claim_form.cleaned_data.get("on_leaderboard", False),
                )
            except services.Refused as refused:
                messages.error(request, str(refused))
            else:
                if claimed.certificate_code:
                    progress.remember_certificate(request, quiz.pk, claimed.pk)
            return redirect(_result_url(quiz))
    elif request.method == "POST":
        if quiz.is_competition:
            messages.info(request, _("This attempt already carries a name."))
        return redirect(_result_url(quiz))

    answers = services.answered_positions(attempt)
    questions = services.questions_of(attempt)
    cited = citations.cite(questions.values(), request)
    review = []
    for position, pk in enumerate(attempt.question_ids, start=1):
        found = questions.get(pk)
        answer = answers.get(position)
        if found is None:
            continue
        offered = services.options(found)
        chosen = set(answer.chosen) if answer else set()
        review.append(
            {
                "position": position,
                "question": found,
                "answered": answer is not None,
                "correct": bool(answer and answer.correct),
                "chosen": [option for option in offered if option.key in chosen],
                "right": [option for option in offered if option.correct],
                "cited": cited[found.pk],
            }
        )
    context = {
        "page": quiz,
        "quiz": quiz,
        "attempt": attempt,
        "wrong": [entry for entry in review if not entry["correct"]],
        "right": [entry for entry in review if entry["correct"]],
        "passed": services.passed(attempt),
        "time": duration(attempt.duration_ms),
        "claim_form": claim_form,
        "verify_url": (
            f"{reverse('quizzes:verify')}?code={attempt.certificate_code}"
            if attempt.certificate_code
            else ""
        ),
        "certificate_code": (
            services.format_code(attempt.certificate_code) if attempt.certificate_code else ""
        ),
        "earlier_certificate": progress.certified(request, quiz.pk) not in (None, str(attempt.pk)),
        "can_retry": not quiz.is_competition
        or (
            services.status(quiz) == "open"
            and progress.started(request, quiz.pk) < quiz.attempts_allowed
        ),
    }
    status = 400 if claim_form is not None and claim_form.errors else 200
    return TemplateResponse(request, "quizzes/result.html", context, status=status)


def duration(milliseconds):
    """4 min 05 s: how long an attempt took, as the leaderboard and the result show it."""
    seconds = (milliseconds or 0) // 1000
    return _("%(minutes)s min %(seconds)02d s") % {
        "minutes": seconds // 60,
        "seconds": seconds % 60,
    }


# Not kept in the page cache: a name given or hidden by an editor shows at once.
@never_cache
@require_http_methods(["GET"])
def leaderboard(request, quiz_id):
    quiz = _quiz(request, quiz_id)
    if not quiz.is_competition or not quiz.leaderboard:
        raise Http404
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    code = request.GET.get("region", "")[:12]
    region = next((province for province in provinces if province.code == code), None)
    unknown = bool(code) and region is None
    context = {
        "page": quiz,
        "quiz": quiz,
        "entries": [
            {"entry": entry, "time": duration(entry.duration_ms)}
            for entry in services.leaderboard(quiz, region=region)
        ],
        "provinces": provinces,
        "region": region,
        "unknown_region": unknown,
    }
    response = TemplateResponse(request, "quizzes/leaderboard.html", context)
    if unknown:
        response.status_code = 400
    return response
