"""What the web interface checks before it answers: the host a request was sent to, where a POST
comes from, the form's CSRF value and the token cookie.

- **Host** (DNS rebinding): a page on ``attacker.example`` whose name is made to resolve to 127.0.0.1
  is, to the browser, of the same origin as the server. The server answers only the names it was
  bound to (on loopback also ``localhost``, ``127.0.0.1`` and ``[::1]``, on its own port) and those
  the user allowed (``--allow-host``); bound to every address (0.0.0.0, ::), any address literal and
  this machine's own names too.
- **Origin**: a POST must say it comes from a page of this server (``Origin``, else ``Referer``, else
  ``Sec-Fetch-Site``); a client that sends none of them (curl, a script) is not a browser.
- **CSRF**: a value per form, ``<time>.<HMAC(secret, action, time)>``, good for CSRF_SECONDS.
- **Cookie**: after a verdict recorded with the token, the browser keeps an HMAC of the token (never
  the token), in a cookie named after the port (cookies ignore ports), HttpOnly, SameSite=Strict,
  and Secure when the page came over TLS.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import BadInput

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
CSRF_SECONDS = 12 * 3600  # a form may sit open for half a day
CLOCK_SKEW = 60
_NOT_IN_HOST = set("/?#@\\ \t")


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None] | None:
    """The (lower-case name, port or None) of a ``Host`` header or ``--allow-host`` value, or None
    when it is not a plain ``name[:port]`` (an IPv6 address in brackets)."""
    if not value or _NOT_IN_HOST & set(value):
        return None
    try:
        parts = urlsplit("//" + value)
        return (parts.hostname or "", parts.port) if parts.hostname else None
    except ValueError:
        return None


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class AllowedHosts:
    """The ``Host`` values a server answers: (name, port) pairs, a port of None for any port;
    with ``any_address`` (a server bound to every address), any IP address on ``port``."""

    names: frozenset[tuple[str, int | None]]
    port: int | None = None
    any_address: bool = False

    @classmethod
    def for_server(cls, bound: str, port: int, extra: Iterable[str] = ()) -> AllowedHosts:
        """The names of a server bound to ``bound``:``port``, and the ``extra`` ones the user
        listed (``name`` for any port, ``name:port`` for that one). Raises BadInput for a bad one."""
        names = {bound.strip("[]").lower()}
        if is_loopback(bound):
            names.update(LOOPBACK_NAMES)
        wildcard = bound in WILDCARDS
        if wildcard:
            names.update(("localhost", socket.gethostname().lower(), socket.getfqdn().lower()))
        allowed = {(name, port) for name in names if name not in WILDCARDS}
        for item in extra:
            parsed = split_host(item.strip())
            if parsed is None:
                raise BadInput(f"--allow-host takes a host name with an optional port, not '{item}'")
            allowed.add(parsed)
        return cls(frozenset(allowed), port, wildcard)

    @classmethod
    def local(cls) -> AllowedHosts:
        """The loopback names on any port (an app made without a server, as in tests)."""
        return cls(frozenset((name, None) for name in LOOPBACK_NAMES))

    def allows(self, header: str | None, default_port: int) -> bool:
        """``header`` (a request's Host; None when the client sent none, HTTP/1.0) names this server."""
        if header is None:
            return True  # not a browser: every browser sends Host
        parsed = split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        port = default_port if port is None else port
        if (name, None) in self.names or (name, port) in self.names:
            return True
        return self.any_address and port == self.port and _is_address(name)


def same_origin(headers: Mapping[str, str], host: str) -> bool:
    """A POST with these ``headers`` comes from a page of ``host`` (the request's own host:port),
    or from a client that is not a browser (no Origin, Referer or Sec-Fetch-Site at all)."""
    for name in ("Origin", "Referer"):
        value = headers.get(name)
        if value is not None:
            return _netloc(value) == host.lower()
    return headers.get("Sec-Fetch-Site") in (None, "same-origin", "none")


def _netloc(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.netloc.lower() if parts.scheme.lower() in ("http", "https") else None


def _sign(secret: bytes, *parts: str) -> str:
    message = "\n".join(parts).encode("utf-8", "backslashreplace")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def csrf_value(secret: bytes, action: str, now: float | None = None) -> str:
    """The CSRF value of the form posting to ``action``, made at ``now``."""
    stamp = str(int(time.time() if now is None else now))
    return f"{stamp}.{_sign(secret, 'csrf', action, stamp)}"


def csrf_ok(secret: bytes, action: str, value: str, now: float | None = None) -> bool:
    """``value`` was made by :func:`csrf_value` for ``action`` less than CSRF_SECONDS ago."""
    stamp, _, mac = value.partition(".")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return False
    age = (time.time() if now is None else now) - int(stamp)
    if not -CLOCK_SKEW <= age <= CSRF_SECONDS:
        return False
    return hmac.compare_digest(mac.encode("ascii", "replace"), _sign(secret, "csrf", action, stamp).encode())


def cookie_name(port: str | int | None) -> str:
    """The token cookie of the server on ``port``."""
    return f"pqcheck_{port}" if port else "pqcheck"


def cookie_value(token: str) -> str:
    """What the cookie holds for ``token``: an HMAC of it, never the token."""
    return _sign(token.encode("utf-8", "backslashreplace"), "pqcheck verdict cookie")
