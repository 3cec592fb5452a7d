"""Path converters for values the project mints itself.

`token`: invite-link tokens (secrets.token_urlsafe) and signed tokens (django.core.signing:
URL-safe base64, ":" separators, a leading "." when compressed). Anything else — a NUL, a
space, an accented letter, a megabyte of text — is not a token: the URL does not resolve
(404) and no query ever sees it.
"""

from django.urls import register_converter


class TokenConverter:
    regex = r"[-A-Za-z0-9_.:]{1,512}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
