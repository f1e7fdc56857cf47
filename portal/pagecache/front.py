"""The WSGI application in front of Django's (portal/wsgi.py): most stored pages are answered
before Django's handler is reached (portal.pagecache)."""

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from portal.metrics import page_cache_hit

from .generation import release
from .middleware import PageCacheMiddleware, representation


class PageCacheApplication:
    """The WSGI application in front of Django's (portal/wsgi.py): a plain GET from an
    anonymous reader whose page is stored is answered here, without building Django's
    response, running the middleware or sending the request signals. That is most of the
    cost of a hit, and a hit is most of a busy day's traffic. Every decision is the
    middleware's own (the same key, paths, cookies and generation); what this leaves to
    Django (a conditional request, HEAD, a miss) the middleware answers as before."""

    # Conditional requests are answered by Django's get_conditional_response, with every
    # rule of RFC 9110 (304, 412), in the middleware.
    CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                   "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")  # fmt: skip

    def __init__(self, application):
        self.application = application
        self.middleware = PageCacheMiddleware(get_response=None)
        # Worked out once here (in gunicorn's master, with preload_app) rather than by each
        # worker on its first request.
        release()

    def __call__(self, environ, start_response):
        reply = self.reply(environ) if settings.PAGE_CACHE_SECONDS else None
        if reply is None:
            return self.application(environ, start_response)
        status, headers, body = reply
        start_response(status, headers)
        return [body]

    def reply(self, environ):
        if environ.get("REQUEST_METHOD") != "GET" or any(
            name in environ for name in self.CONDITIONAL
        ):
            return None
        # A copy: WSGIRequest writes the decoded path into the environ it is given, which
        # Django's handler would then decode a second time (a non-ASCII slug would fail).
        request = WSGIRequest(environ.copy())
        middleware = self.middleware
        if request.path.startswith(middleware.skipped_paths) or not (
            middleware.anonymous_read(request)
        ):
            return None
        try:
            found = middleware.lookup(request)
        except DisallowedHost:
            return None  # Django answers it, and logs it, as it does every request.
        if found is None or found[2] is None:
            return None  # a miss is counted by the middleware, which renders it
        page_cache_hit()
        status, headers, body, _etag, _modified = representation(
            found[2], environ.get("HTTP_ACCEPT_ENCODING", "")
        )
        return f"{status} {HTTPStatus(status).phrase}", headers, body
