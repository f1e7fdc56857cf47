"""The certificate of a finished competition attempt, and the page that confirms one."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from portal.models import PortalSettings

from . import certificate, progress, services, verification


def download(request, quiz_id):
    """Only this browser's own attempt at the quiz (its session holds the id), once it is
    finished and has earned a certificate: the latest attempt's, else the latest certified
    one's (a new attempt does not take a certificate away); 404 for everything else."""
    attempt = certificate.for_session(progress.current(request, quiz_id), quiz_id)
    if attempt is None:
        attempt = certificate.for_session(progress.certified(request, quiz_id), quiz_id)
    if attempt is None:
        raise Http404
    issuer = PortalSettings.for_request(request).operator_zh
    content = certificate.render(attempt, certificate.verify_url(attempt.certificate_code), issuer)
    code = services.format_code(attempt.certificate_code)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def verify(request):
    context = {"form": verification.VerifyForm(), "checked": False}
    status = 200
    if "code" in request.GET:
        form = verification.VerifyForm(request.GET)
        context.update(form=form, checked=True)
        if not verification.take_lookup(request):
            context["refused"] = verification.refusal()
            status = 429
        elif form.is_valid():
            attempt = services.certificate(form.cleaned_data["code"])
            context["genuine"] = verification.genuine(attempt) if attempt else None
    response = render(request, "quizzes/certificate_verify.html", context, status=status)
    if context["checked"]:
        # A check's answer is for whoever asked: never kept by a shared cache.
        patch_cache_control(response, private=True, no_store=True)
    return response
