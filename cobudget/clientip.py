"""Which address a request came from, for rate limits.

The connection's address (REMOTE_ADDR), unless NUM_PROXIES says how many reverse proxies of
ours stand in front and append the address they saw to X-Forwarded-For: then the entry the
outermost of them wrote, counted from the right. Anything a client writes into the header
itself sits to the left of it and is never read, so a rotating forged header cannot reset a
limit.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [part.strip() for part in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr
