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
