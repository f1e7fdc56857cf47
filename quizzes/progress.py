"""Where a browser's attempts are kept: in its session, never in an account. For each quiz,
the attempt in progress (or the last one, once finished) and how many were started here."""

SESSION_KEY = "quizzes"


def _state(request, quiz_pk):
    return request.session.get(SESSION_KEY, {}).get(str(quiz_pk), {})


def current(request, quiz_pk):
    """The id (str) of this browser's latest attempt at the quiz, or None."""
    return _state(request, quiz_pk).get("attempt")


def started(request, quiz_pk):
    return int(_state(request, quiz_pk).get("started", 0))


def remember(request, quiz_pk, attempt_id):
    quizzes = dict(request.session.get(SESSION_KEY, {}))
    quizzes[str(quiz_pk)] = {"attempt": str(attempt_id), "started": started(request, quiz_pk) + 1}
    request.session[SESSION_KEY] = quizzes
