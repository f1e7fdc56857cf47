from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader
from django.utils import translation

from . import storage


class PermissionsPolicyMiddleware:
    """No page of the portal needs a camera, microphone or location, and a reporter's browser
    must never be asked for them, even by injected content."""

    header = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def _policy(**directives):
    return {name.replace("_", "-"): value for name, value in directives.items()}


# Everything the portal shows comes from its own origin: no third-party script, style, font,
# image or frame, and no inline script, so text injected into a page (a clue's description
# shown to staff, an editor's rich text) cannot run. Forms post only here; no <base> element
# can redirect relative links; plugins are off.
PUBLIC_POLICY = _policy(
    default_src="'self'",
    script_src="'self'",
    style_src="'self'",
    img_src="'self'",
    font_src="'self'",
    media_src="'self'",
    connect_src="'self'",
    object_src="'none'",
    base_uri="'none'",
    form_action="'self'",
)

# Wagtail's content-editing areas, where Wagtail 8 itself needs more (docs/security.md,
# "Headers and browser protections"): its choosers (page, image, document, snippet, task) and
# inline panels start with inline scripts that carry per-field options, the StreamField and
# rich-text editors run the scripts inside the forms they insert and add <style> elements, and
# the image editor's focal-point tool sets event-handler attributes; uploads are previewed as
# blob: and data: images. Everywhere else in the admin (the dashboard, sign-in, the clue queue,
# clue pages, ledger, statistics, units and roles) the public policy applies unchanged, so
# text a citizen sent can never run as script in a reviewer's browser.
EDITOR_POLICY = {
    **PUBLIC_POLICY,
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
}
# The admin lives at /admin/ (portal/urls.py).
EDITOR_PATHS = tuple(
    f"/admin/{area}/"
    for area in (
        "pages",
        "snippets",
        "settings",
        "images",
        "documents",
        "workflows",
        "groups",
        "sites",
        "redirects",
        "posters",
        "block-preview",
    )
)


# A PDF shown in the browser (the printable posters) is drawn by the browser's own viewer,
# which Chrome embeds in the document as a plugin: object-src or default-src would block it
# (Chromium issue 271452), and page policies do not govern a PDF's own scripts anyway. Such a
# response only refuses to be framed.
PDF_POLICY = {}


def with_media_origin(policy, origin):
    if origin is None:
        return policy
    return {
        **policy,
        "img-src": f"{policy['img-src']} {origin}",
        "media-src": f"{policy['media-src']} {origin}",
    }


def serialize(policy, frame_ancestors):
    return "; ".join(
        f"{name} {value}" for name, value in {**policy, "frame-ancestors": frame_ancestors}.items()
    )


class ContentSecurityPolicyMiddleware:
    """Sends the portal's Content-Security-Policy on every response that has none of its own
    (evidence downloads and Wagtail's image and document views send a stricter one).

    Framing follows X-Frame-Options, so this must sit above XFrameOptionsMiddleware: a page
    that Wagtail marks SAMEORIGIN (the editor's live preview, shown in a frame of the admin)
    may be framed by the portal itself; every other page by no one."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Public media in a bucket or behind a CDN (docs/storage.md) is the one other origin
        # pages may show images and videos from.
        origin = storage.media_origin()
        self.public_policy = with_media_origin(PUBLIC_POLICY, origin)
        self.editor_policy = with_media_origin(EDITOR_POLICY, origin)

    def __call__(self, request):
        response = self.get_response(request)
        # A policy this middleware set is decided again: Wagtail renders a preview by passing
        # a fake request for the public page through the middleware inside the admin's request,
        # and the admin's response (framed by the editor) must not keep the public page's.
        if "Content-Security-Policy" not in response or getattr(response, "portal_csp", False):
            if response.get("Content-Type", "").startswith("application/pdf"):
                policy = PDF_POLICY
            elif request.path.startswith(EDITOR_PATHS):
                policy = self.editor_policy
            else:
                policy = self.public_policy
            same_origin = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
            response["Content-Security-Policy"] = serialize(
                policy, "'self'" if same_origin else "'none'"
            )
            response.portal_csp = True
        return response


class NulCharacterMiddleware:
    """PostgreSQL refuses a NUL character in a text value with an error, where another
    character that matches nothing would find no rows: a NUL reaching a query as a filter
    (?tag=%00) made a listing fail. No link a person made holds one, so a path or query
    string with one is answered 400 here, before any view or session reads the database
    with it. Other control characters are text to the database and left to the views (the
    search box strips them; a pasted tab is not a reason to refuse a search).

    Cookies are cleaned rather than refused: a quoted cookie value may spell a NUL as
    \\000, and a session cookie holding one would make every page fail for that browser.
    Such a cookie is a session that cannot exist; it is dropped as if not sent.

    Form bodies are left to the forms (Django's CharField refuses a NUL with a message at
    its field), and are not read here: the report form sets its own upload handlers before
    its body is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return refused(request)
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        return self.get_response(request)


def refused(request):
    """The portal's 400 page (the one Django's own refusals show), in the language of the
    address: LocaleMiddleware, below, has not chosen one yet. Rendered without the request,
    so nothing in it reads the session or the database."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = HttpResponseBadRequest(loader.render_to_string("400.html"))
    response["Content-Language"] = language
    return response
