"""One polite HTTP client for every upstream: timeouts, retries with backoff, a rate limit.

Retries cover 429 and 5xx answers (honouring ``Retry-After``), dropped connections, timeouts,
and bodies that arrive cut short or are not JSON. The read timeout bounds the whole response,
not only the wait for each packet: a server that trickles its body is given up on in time.
When retries run out the caller gets an :class:`~pqcheck.errors.UpstreamError` with a message
that says what failed and where. Only http and https are spoken: a base URL of another scheme is
refused up front (:func:`check_base_url`), and so is a redirect to one.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from . import __version__, jsonsafe
from .errors import BadInput, UpstreamError

log = logging.getLogger(__name__)

USER_AGENT = f"pqcheck/{__version__} (parliamentary accountability cross-checker; +https://github.com/pqcheck/pqcheck)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 300.0
SCHEMES = ("http", "https")
# a URL requests cannot send, found only when a request (or a redirect) is made: not worth retrying
UNSENDABLE = (
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.TooManyRedirects,
)
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # Retry-After: 120 (a fraction too, as sent)


class RateLimiter:
    """Spaces calls at least ``1 / per_second`` seconds apart (thread-safe)."""

    def __init__(self, per_second: float, clock=time.monotonic, sleep=time.sleep):
        if per_second <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):  # not float()'s "nan", "inf" or "1_0"
        seconds = float(value)
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The full URL that a GET with these query parameters asks for (``url`` itself if it is not
    one requests can send)."""
    try:
        return requests.Request("GET", url, params=params).prepare().url or url
    except (requests.RequestException, ValueError):
        return url


def check_base_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host and a valid port that requests can send; else
    :class:`~pqcheck.errors.BadInput` saying what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port  # a ValueError unless a number from 0 to 65535
        requests.Request("GET", url).prepare()
    except (requests.RequestException, ValueError) as exc:
        raise BadInput(f"'{url}' is not a URL pqcheck can fetch: {exc}") from exc
    if port == 0:
        raise BadInput(f"'{url}' has port 0: give the port the server listens on")
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise BadInput(f"'{url}' is not an http(s) URL with a host (e.g. https://example.org)")
    return url


class HttpOnlySession(requests.Session):
    """A session that follows redirects only to http and https URLs."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        scheme = urlsplit(target).scheme.lower() if target else ""
        if scheme and scheme not in SCHEMES:
            raise requests.exceptions.InvalidSchema(f"redirected to {target}: only http(s) redirects are followed")
        return target


def describe_exception(exc: Exception) -> str:
    """A short reason for a network failure ("connection failed: Name or service not known")."""
    kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
    text = str(exc)
    errno = _ERRNO.search(text)
    if errno:
        return f"{kind}: {errno.group(1).strip()}"
    return f"{kind}: {text[:200]}"


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def unresolvable(exc: BaseException) -> bool:
    """True if ``exc`` (a requests error) failed because the host name could not be resolved."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NameResolutionError):
            return True
        reason = getattr(current, "reason", None)
        stack += [current.__cause__, current.__context__, reason if isinstance(reason, BaseException) else None]
        stack += [arg for arg in current.args if isinstance(arg, BaseException)]
    return False


def describe_error_body(response: requests.Response) -> str:
    """The useful part of an error body: ASP.NET ProblemDetails, a JSON message, or text."""
    try:
        body = jsonsafe.bounded(response.json())
    except (ValueError, RecursionError):
        text = " ".join(response.text.split())
        return text[:200]
    if isinstance(body, Mapping):
        parts = [str(body[k]) for k in ("title", "detail", "message", "error") if body.get(k)]
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts += [f"{k}: {'; '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in errors.items()]
        if parts:
            return " - ".join(parts)
    return json.dumps(body)[:200]


def read_body(response: requests.Response, deadline: float) -> None:
    """Read the body of a streamed response into ``response.content``, or raise
    ``requests.Timeout`` if it is not all there by ``deadline`` (a ``time.monotonic()`` value)."""
    chunks = []
    try:
        while chunk := response.raw.read1(1 << 16, decode_content=True):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                response.close()
                raise requests.exceptions.ReadTimeout("the response did not arrive in time")
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from exc
    except urllib3.exceptions.HTTPError as exc:  # cut short, connection reset, undecodable
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    response._content = b"".join(chunks)
    response._content_consumed = True


class HttpClient:
    """A ``requests.Session`` with the retry, timeout and rate-limit policy pqcheck uses everywhere."""

    def __init__(
        self,
        *,
        rate: float = 5.0,
        retries: int = 5,
        backoff: float = 1.0,
        timeout: tuple[float, float] = (10.0, 60.0),
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ):
        self.session = HttpOnlySession()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.limiter = RateLimiter(rate)
        self.requests_made = 0
        self.on_retry = on_retry  # told each retry in words ("retrying GET ... in 2s (HTTP 503), 1 of 5")

    def close(self) -> None:
        self.session.close()

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``url`` and decode JSON, retrying what can be retried."""
        return self._get(url, params, decode_json=True)[1]

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, accept: str = "*/*") -> requests.Response:
        """GET ``url`` (a page or a file: ``accept`` says which) with the body read in full,
        retrying what can be retried."""
        return self._get(url, params, decode_json=False, accept=accept)[0]

    def _get(self, url, params, *, decode_json: bool, accept: str | None = None) -> tuple[requests.Response, Any]:
        attempt = 0
        while True:
            self.limiter.wait()
            self.requests_made += 1
            problem, wait, data, status = None, None, None, None
            try:
                headers = {"Accept": accept} if accept else None
                deadline = time.monotonic() + self.timeout[1]
                response = self.session.get(url, params=params, timeout=self.timeout, headers=headers, stream=True)
                read_body(response, deadline)
                where = response.url
                if response.status_code in RETRY_STATUSES:
                    status = response.status_code
                    problem = f"HTTP {response.status_code} {describe_error_body(response)}".strip()
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                elif response.status_code >= 400:
                    raise UpstreamError(
                        f"GET {where} failed: HTTP {response.status_code}: {describe_error_body(response)}",
                        status=response.status_code,
                    )
                elif decode_json:
                    try:
                        data = jsonsafe.bounded(response.json())
                    except (ValueError, RecursionError):  # RecursionError: nested too deeply
                        problem = "the body is not valid JSON (cut short?)"
            except UNSENDABLE as exc:
                raise UpstreamError(f"GET {build_url(url, params)} failed: {exc}") from exc
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                where = build_url(url, params)
                if unresolvable(exc):  # a wrong host name, or no network: retrying will not help
                    host = urlsplit(where).hostname
                    raise UpstreamError(
                        f"GET {where} failed: the host name {host} could not be resolved "
                        "(check the address and the network)"
                    ) from exc
                problem = describe_exception(exc)
            if problem is None:
                return response, data
            attempt += 1
            if attempt > self.retries:
                raise UpstreamError(f"GET {where} failed after {self.retries} retries: {problem}", last_status=status)
            delay = wait if wait is not None else self.backoff * (2 ** (attempt - 1))
            log.info("retrying %s in %.1fs (%s)", where, delay, problem)
            if self.on_retry is not None:
                self.on_retry(f"retrying GET {where} in {delay:g}s ({problem}), retry {attempt} of {self.retries}")
            self.sleep(delay)
