"""Public views of an entry point: the scan (a redirect), its QR images and its poster.
They set no cookie and write nothing about the person scanning."""

import hashlib

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe

from portal.models import PortalSettings

from . import notices, qr, services

# A printed code never changes; a month of caching spares the server a print run's worth
# of requests, and the ETag lets caches check back cheaply after that.
IMAGE_CACHE = "public, max-age=2592000"


@never_cache
@require_safe
def scan(request, code):
    entry_point = services.find(code)
    if entry_point is not None and request.method == "GET":
        services.record_scan(entry_point)
    response = redirect(services.destination(entry_point))
    response["Referrer-Policy"] = "no-referrer"
    return response


def _entry_point_or_404(code):
    entry_point = services.find(code)
    if entry_point is None:
        raise Http404
    return entry_point


def _image_etag(request, code, kind):
    entry_point = services.find(code)
    if entry_point is None:
        return None
    size, level = qr.options(request.GET)
    # The URL in the image is part of its identity: a new public origin is a new image.
    key = f"{kind}|{services.short_url(entry_point)}|{size}|{level}|1"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _image(kind, content_type):
    @require_safe
    @condition(etag_func=lambda request, code: _image_etag(request, code, kind))
    def view(request, code):
        entry_point = _entry_point_or_404(code)
        size, level = qr.options(request.GET)
        render = qr.svg if kind == "svg" else qr.png
        response = HttpResponse(
            render(services.short_url(entry_point), size, level), content_type=content_type
        )
        response["Cache-Control"] = IMAGE_CACHE
        return response

    return view


qr_svg = _image("svg", "image/svg+xml")
qr_png = _image("png", "image/png")


@require_safe
def poster(request, code):
    entry_point = _entry_point_or_404(code)
    # Imported on the first poster, not with the views: reportlab costs every worker about
    # 4 MB of memory, and few of them ever print a poster.
    from . import notice_pdf, pdf

    paper = pdf.paper_size(request.GET.get("paper"))
    try:
        content = notice_pdf.any_poster(
            entry_point,
            short_url=services.short_url(entry_point),
            hotline=PortalSettings.for_request(request).hotline,
            paper=paper,
        )
    except notices.NotPrintable as refused:
        # Gone from print for good; the code itself still opens the notice page.
        return HttpResponse(str(refused), status=410, content_type="text/plain")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{entry_point.code}-{paper}.pdf"'
    # The hotline or the location label may be corrected: an hour, not a month. A notice's
    # poster is asked again each time: once the person is caught it must not be printed.
    notice = notices.notice_of(entry_point) is not None
    response["Cache-Control"] = "no-cache" if notice else "public, max-age=3600"
    return response
