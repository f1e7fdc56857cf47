"""The report form's and the receipt's answers when the database is away (portal.errors)."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from reporting.evidence import staging
from reporting.intake.forms import ReportForm
from reporting.intake.views.common import no_referrer

# Posted fields the page after a failure does not send back: a fresh CSRF token replaces the
# old one, the text is shown apart, and the buttons' actions were already applied.
NOT_RESENT = {
    "csrfmiddlewaretoken",
    "what_happened",
    "remove_staged",
    "refresh_captcha",
    "add_party",
}


def report_not_sent(request, status):
    """The report form's answer when storing failed in a way the view could not catch: the
    database went away mid-request, or while the session was being saved after the clue
    was committed. Rendered without the database. Nothing the reporter wrote is lost: the
    page holds it and sends it again with the same submission token, so a report that was
    in fact stored shows its receipt instead of being stored twice."""
    data = _posted_text(request)
    token = data.get("submission_token", "")
    hidden = [
        (name, value) for name in data if name not in NOT_RESENT for value in data.getlist(name)
    ]
    context = {
        "hidden": hidden,
        "what_happened": data.get("what_happened", ""),
        "kept_files": _keep_files(request, token),
    }
    response = render(request, "reporting/report_not_sent.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    add_never_cache_headers(response)
    return no_referrer(response)


class _SkipFiles(FileUploadHandler):
    """Reads a form's text and passes over its files."""

    def new_file(self, *args, **kwargs):
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


def _posted_text(request):
    """The form's fields, even when the failure came before the view read them (a middleware
    loading the session from a database that is away): read now, without the files."""
    if not hasattr(request, "_post"):
        try:
            request.upload_handlers = [_SkipFiles(request)]
            request.POST  # noqa: B018 (parses the body)
        except Exception:  # a body that cannot be read leaves nothing to keep
            return {}
    return request._post


def receipt_not_shown(request):
    """The receipt page when the database is away. The report was stored (the form only
    sends here after the commit) and its receipt waits, so a reload shows it."""
    response = render(request, "reporting/receipt_not_shown.html", status=503)
    response["Retry-After"] = "30"
    add_never_cache_headers(response)
    return no_referrer(response)


def _keep_files(request, token):
    """Stage the checked files of the failed attempt (storage only, no database); the number
    of files the form now holds, or 0 when the reporter must choose them again."""
    if not ReportForm.token_is_valid(token):
        return 0
    try:
        for processed in getattr(request, "report_processed_files", ()):
            staging.stage(token, processed)
        return len(staging.staged(token))
    except OSError:
        return 0
