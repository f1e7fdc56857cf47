"""What every public page of the report and its follow-up shares."""

from django.views.decorators.csrf import csrf_protect

from reporting.evidence.uploads import EvidenceUploadHandler


def no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def taking_evidence(view, request):
    """Runs a view that receives evidence files. The upload handler is put in place before
    CSRF is checked, as Django reads the body when the middleware checks the token, and the
    body holds the files. The view leaves the files it checked in
    `request.evidence_checked`. Once it has answered they go at once: the request and its
    forms sit in reference cycles of Django's own, which would hold a photo's copies until
    the next garbage collection, several requests later (gunicorn.conf.py). Should the view
    fail instead, report_not_sent still finds the ones it was about to store."""
    request.upload_handlers = [EvidenceUploadHandler(request)]
    response = csrf_protect(view)(request)
    getattr(request, "evidence_checked", []).clear()
    return response
