"""A fake WhatDoTheyKnow (Alaveteli) for end-to-end tests (standard library only).

:class:`FakeWdtk` serves, on 127.0.0.1 and an ephemeral port, from a background thread:

- ``GET /feed/search/<url-encoded xapian query>.json?page=N``: the response events of the
  requests it holds, newest first, 25 a page, filtered on ``requested_from:<url_name>`` and
  ``latest_status:<state>`` terms of the query (other terms are ignored);
- ``GET /body/<url_name>.json``: the authority, or 404;
- ``GET /request/<url_title>.json`` and ``GET /request/<url_title>``: the request JSON and the
  HTML page. Like Rails, the page answers JSON when the ``Accept`` header asks only for JSON;
- ``GET /request/<numeric id>[.json]`` and ``/request/<numeric id>/response/…/attach/…``: a 301
  to the same path under the ``url_title`` (Alaveteli ``config/routes/redirects.rb``);
- ``GET /request/<url_title>/response/<im_id>/attach/<part>/<filename>``: the raw bytes with
  the attachment's Content-Type, or 404 for an attachment marked ``missing``.

Every request is recorded (:attr:`FakeWdtk.log`: path, query, Accept header, status).
``fail`` maps a path to a status to answer instead; ``feed_not_json`` makes the feed answer an
HTML page with status 200 (as a bot-protection page would).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .fixtures_wdtk import FakeRequest, feed_events, request_json, request_page

PAGE_SIZE = 25


@dataclass
class Hit:
    path: str
    query: dict[str, list[str]]
    accept: str | None
    status: int


class FakeWdtk:
    def __init__(self, requests: Iterable[FakeRequest] = (), bodies: Iterable[dict[str, Any]] = ()):
        self.requests: list[FakeRequest] = list(requests)
        self.bodies = {b["url_name"]: b for b in bodies}
        for request in self.requests:
            self.bodies.setdefault(request.body["url_name"], request.body)
        self.fail: dict[str, int] = {}
        self.feed_not_json = False
        self.numeric_links = False
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> FakeWdtk:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what was asked ------------------------------------------------------------------------

    def hits(self, prefix: str = "") -> list[Hit]:
        with self._lock:
            return [h for h in self.log if h.path.startswith(prefix)]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)

    # --- content -------------------------------------------------------------------------------

    def by_title(self, url_title: str) -> FakeRequest | None:
        return next((r for r in self.requests if r.url_title == url_title), None)

    def by_id(self, request_id: int) -> FakeRequest | None:
        return next((r for r in self.requests if r.id == request_id), None)

    def feed(self, query: str) -> list[dict[str, Any]]:
        bodies = re.findall(r"requested_from:(\S+)", query)
        states = set(re.findall(r"latest_status:([a-z_]+)", query))
        events = []
        for request in self.requests:
            if bodies and request.body["url_name"] not in bodies:
                continue
            if states and request.state not in states:
                continue
            events += feed_events(request)
        return sorted(events, key=lambda e: e["created_at"], reverse=True)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeWdtk
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # the http.server API's name
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        status = self.fake.fail.get(path)
        if status is not None:
            self._send(status, b"<html><body>Error</body></html>", "text/html", path, query)
            return
        for pattern, method in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                method(self, match, path, query)
                return
        self._not_found(path, query)

    # --- responses -----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, path: str, query, headers=None) -> None:
        self.fake.record(Hit(path, query, self.headers.get("Accept"), status))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, path: str, query) -> None:
        self._send(200, json.dumps(data).encode(), "application/json; charset=utf-8", path, query)

    def _not_found(self, path: str, query) -> None:
        page = b"<html><body><h1>Sorry, we couldn't find that page</h1></body></html>"
        self._send(404, page, "text/html; charset=utf-8", path, query)

    def _redirect(self, location: str, path: str, query) -> None:
        if self.path.find("?") >= 0:
            location += "?" + self.path.split("?", 1)[1]
        self._send(301, b"", "text/html", path, query, {"Location": location})

    # --- routes --------------------------------------------------------------------------------

    def feed(self, match, path, query) -> None:
        if self.fake.feed_not_json:
            page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking</body></html>"
            self._send(200, page, "text/html; charset=utf-8", path, query)
            return
        page = int(query.get("page", ["1"])[0])
        events = self.fake.feed(unquote(match.group(1)))
        self._json(events[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], path, query)

    def body(self, match, path, query) -> None:
        body = self.fake.bodies.get(match.group(1))
        if body is None:
            self._not_found(path, query)
        else:
            self._json(body, path, query)

    def numeric(self, match, path, query) -> None:
        request = self.fake.by_id(int(match.group(1)))
        if request is None:
            self._not_found(path, query)
        else:
            self._redirect(f"/request/{request.url_title}{match.group(2) or ''}", path, query)

    def request(self, match, path, query) -> None:
        request = self.fake.by_title(match.group(1))
        if request is None:
            self._not_found(path, query)
        elif match.group(2) or (self.headers.get("Accept") or "").strip() == "application/json":
            self._json(request_json(request), path, query)
        else:
            page = request_page(request, numeric_links=self.fake.numeric_links)
            self._send(200, page.encode(), "text/html; charset=utf-8", path, query)

    def attachment(self, match, path, query) -> None:
        ref, message_id, part, filename = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
        if ref.isdigit():
            request = self.fake.by_id(int(ref))
            if request is None:
                self._not_found(path, query)
            else:
                target = f"/request/{request.url_title}/response/{message_id}/attach/{part}/{filename}"
                self._redirect(target, path, query)
            return
        request = self.fake.by_title(ref)
        found = None
        for message in request.incoming if request else []:
            for item in message.attachments if message.id == message_id else []:
                if item.part == part and quote(item.filename) == quote(unquote(filename)):
                    found = item
        if found is None or found.missing:
            self._not_found(path, query)
        else:
            self._send(200, found.content, found.content_type, path, query)


_ROUTES = [
    (re.compile(r"/feed/search/(.+)\.json"), _Handler.feed),
    (re.compile(r"/body/([^/]+)\.json"), _Handler.body),
    (re.compile(r"/request/(\d+)(\.json)?"), _Handler.numeric),
    (re.compile(r"/request/([^/.]+)(\.json)?"), _Handler.request),
    (re.compile(r"/request/([^/]+)/response/(\d+)/attach/(\d+)/([^/]+)"), _Handler.attachment),
]
