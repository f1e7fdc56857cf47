"""Where a browser's attempts are kept: in its session, never in an account. For each quiz,
the attempt in progress (or the last one, once finished), how many were started here, and the
latest one that earned a certificate (which a new attempt must not take away)."""

SESSION_KEY = "quizzes"


def _state(request, quiz_pk):
    return request.session.get(SESSION_KEY, {}).get(str(quiz_pk), {})


def current(request, quiz_pk):
    """The id (str) of this browser's latest attempt at the quiz, or None."""
    return _state(request, quiz_pk).get("attempt")


def started(request, quiz_pk):
    return int(_state(request, quiz_pk).get("started", 0))


def certified(request, quiz_pk):
    """The id (str) of this browser's latest attempt at the quiz with a certificate, or None."""
    return _state(request, quiz_pk).get("certified")


def _update(request, quiz_pk, **values):
    quizzes = dict(request.session.get(SESSION_KEY, {}))
    quizzes[str(quiz_pk)] = {**_state(request, quiz_pk), **values}
    request.session[SESSION_KEY] = quizzes


def remember(request, quiz_pk, attempt_id):
    _update(request, quiz_pk, attempt=str(attempt_id), started=started(request, quiz_pk) + 1)


def remember_certificate(request, quiz_pk, attempt_id):
    _update(request, quiz_pk, certified=str(attempt_id))
