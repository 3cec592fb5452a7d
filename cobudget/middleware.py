from django.conf import settings

# Scripts only from our own origin (htmx and our own JS are vendored in static/); no inline
# script anywhere. Inline styles are allowed for progress bars' computed widths.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/docs") or request.path.startswith("/admin/"):
            return response  # Swagger UI and Django's admin ship inline scripts of their own.
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "CSP", CSP))
        return response
