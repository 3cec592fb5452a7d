"""HTTP requests to addresses that group admins typed: no server-side request forgery.

A webhook's address is checked when it is saved and again at every delivery, because a name
that resolved to a public address yesterday may resolve to 127.0.0.1 today (DNS rebinding):
only http(s), no user:password@, and every address the name resolves to must be a public
unicast one — not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
(169.254/16, where clouds serve their metadata, fe80::/10), shared (100.64/10), multicast,
reserved or unspecified. The request then goes to the very address that was checked (the name
still sent as Host and for TLS), so a second lookup cannot swap it. Redirects are not
followed. `WEBHOOKS_ALLOW_PRIVATE=1` lifts the address rule (tests, a single machine).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT = 10
KEEP_BODY = 500  # characters of the answer kept in the delivery log


class Refused(Exception):
    """The address may not be called; the message says why, in words."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def _resolve(host: str, port: int):
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def check(url: str) -> Target:
    """The checked target of `url`, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(_("This address is not valid.")) from None
    if parts.scheme not in ("http", "https"):
        raise Refused(_("Only http:// and https:// addresses are allowed."))
    if not parts.hostname:
        raise Refused(_("The address has no host name."))
    if parts.username is not None or parts.password is not None:
        raise Refused(_("Put no user name or password in the address."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = _resolve(parts.hostname, port)
    except (socket.gaierror, UnicodeError, OSError):
        raise Refused(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname[:100]}) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not settings.WEBHOOKS_ALLOW_PRIVATE and not _allowed(ip):
            raise Refused(_("This address leads to a private or reserved network (%(ip)s): it is not allowed.")
                          % {"ip": ip})
        addresses.append(str(ip))
    if not addresses:
        raise Refused(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname[:100]})
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path, address=addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    duration_ms: int


def post(url: str, body: bytes, headers: dict, *, timeout: float = TIMEOUT) -> Answer:
    """POST `body` to `url` after checking it; Refused, or OSError/HTTPException on failure."""
    target = check(url)
    connection = (_PinnedHTTPS if target.scheme == "https" else _PinnedHTTP)(target, timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4096).decode("utf-8", "replace")[:KEEP_BODY]
        return Answer(status=response.status, body=text, duration_ms=int((time.monotonic() - started) * 1000))
    finally:
        connection.close()
